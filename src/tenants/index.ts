// Many care organisations in one deployment (docs/deployment.md): the registry, each tenant's
// configuration, adding and removing tenants, and the deployment's listeners that route every
// request to its tenant.
export { isDeployment, readRegistry, registryPath, tenantDir, findTenant, TenantError, TENANT_ID, REGISTRY_FILE } from './registry.js';
export type { TenantEntry } from './registry.js';
export { configFor, routingDid, tenantConfig, tenantPath, TENANT_FILE } from './config.js';
export { addTenant, listTenants, removeTenant, defaultDid } from './manage.js';
export type { AddOptions, TenantSummary } from './manage.js';
export { startDeployment } from './host.js';
export type { Deployment, DeploymentOptions, RunningTenant } from './host.js';
export { TENANT_MISMATCH, UNKNOWN_TENANT } from './guard.js';
export { postgresProbe, postgresUrl, readiness } from './readiness.js';
export { DEPLOYMENT_TENANT, deploymentConfig, RefusalLog } from './refusals.js';
export type { Refusal } from './refusals.js';
