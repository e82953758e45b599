// Named admin accounts (people) for the admin API and console: stored hashed in the data directory.
export { AccountStore, AccountError, accountsPath, ROLES } from './store.js';
export type { Account, Role } from './store.js';
export { checkPassword, burnPasswordCheck, hashPassword, passwordProblem, PasswordBusyError, MIN_PASSWORD } from './password.js';
export type { PasswordHash } from './password.js';
