// One code, one sentence per refusal; the admin API maps codes to statuses.
export type ConnectionErrorCode =
  | 'unknown_connection'
  | 'connection_exists'
  | 'bad_connection'
  | 'unknown_system'
  | 'no_key_secret'
  | 'credential_unreadable'
  | 'run_busy';

export class ConnectionError extends Error {
  constructor(readonly code: ConnectionErrorCode, message: string) {
    super(message);
  }
}

export const CONNECTION_STATUS: Record<ConnectionErrorCode, number> = {
  unknown_connection: 404,
  connection_exists: 409,
  bad_connection: 400,
  unknown_system: 400,
  no_key_secret: 503,
  credential_unreadable: 503,
  run_busy: 409,
};
