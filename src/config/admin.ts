// The admin section: the admin API's listener, its token, and the console's sign-in sessions
// (src/admin, src/accounts).
import { z } from 'zod';

export const adminSchema = z
  .strictObject({
    // The admin API listens apart from the requester API (loopback by default) and needs the
    // admin token ($DATASTATION_ADMIN_TOKEN, or this file, created by `datastation init`).
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8444),
    tokenFile: z.string().optional(),
    // Sessions of named accounts (`datastation accounts`): in memory, so a restart signs everyone
    // out; bounded in number; expire after idle minutes and absolute hours. Sign-in attempts are
    // limited per client address and failures per account, in a sliding window of minutes.
    session: z
      .strictObject({
        idleMinutes: z.number().int().min(1).max(24 * 60).default(30),
        absoluteHours: z.number().int().min(1).max(7 * 24).default(8),
        maxSessions: z.number().int().min(1).max(100_000).default(1000),
        signInPerIp: z.number().int().min(1).max(1000).default(10),
        signInFailuresPerAccount: z.number().int().min(1).max(1000).default(5),
        signInWindowMinutes: z.number().int().min(1).max(24 * 60).default(15),
      })
      .prefault({}),
  })
  .prefault({});
