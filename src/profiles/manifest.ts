import { z } from 'zod';
import { parameterSpec } from '../query/index.js';

export const indicatorSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  query: z.string().regex(/^[^/\\]+\.rq$/, 'a .rq file name in the profile folder'),
  /** sha256 of the query file as installed: an altered official text is refused. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  parameters: z.array(parameterSpec).default([]),
});

export const manifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  requesterRoles: z.array(z.string()).default([]),
  ontology: z.object({ min: z.string().regex(/^\d+\.\d+\.\d+$/), max: z.string().regex(/^\d+\.\d+\.\d+$/).optional() }),
  source: z.string().optional(),
  indicators: z.array(indicatorSchema).min(1),
});

export type ProfileManifest = z.infer<typeof manifestSchema>;
export type IndicatorManifest = z.infer<typeof indicatorSchema>;
