// The deployment section: many care organisations (tenants) in one deployment directory
// (src/tenants). Only what is the deployment's, not a tenant's: each tenant's own settings live in
// <deployment>/tenants/<id>/tenant.yaml.
import { z } from 'zod';

export const tenantsSchema = z
  .strictObject({
    // /ready of the deployment also asks PostgreSQL (the shared state) when a URL is given:
    // env:NAME (an environment variable holding the URL) or the URL itself.
    readiness: z
      .strictObject({
        postgres: z.string().min(1).optional(),
        timeoutMs: z.number().int().min(100).max(30_000).default(2000),
      })
      .prefault({}),
    // Seconds between looks at tenants.json by a running server (tenants added or removed); 0: never.
    reloadSeconds: z.number().int().min(0).max(3600).default(5),
    // The deployment's own audit chain of the refusals its front makes (unknown_tenant, …): the
    // route needs no credentials, so per client address and minute only the first
    // `perAddressPerMinute` are logged one by one, then one summary entry counts the rest; at most
    // `maxAddresses` addresses are told apart in a minute (beyond, they share one summary).
    refusalLog: z
      .strictObject({
        perAddressPerMinute: z.number().int().min(1).max(1000).default(5),
        maxAddresses: z.number().int().min(1).max(1_000_000).default(10_000),
      })
      .prefault({}),
  })
  .prefault({});

export type TenantsConfig = z.infer<typeof tenantsSchema>;
