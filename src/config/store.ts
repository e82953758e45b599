// The store section: where the dataset is queried, in-process Oxigraph (the default) or a SPARQL
// 1.1 server (src/store/remote).
import { z } from 'zod';
import { remoteStoreConfig } from '../store/remote/engines.js';

export const storeSchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('embedded') }), remoteStoreConfig]).default({ kind: 'embedded' });
