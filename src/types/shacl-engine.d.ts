// shacl-engine ships no types; the constructor and validate() are all we use.
declare module 'shacl-engine/Validator.js' {
  import type { DataFactory, DatasetCore, Term } from '@rdfjs/types';
  export default class Validator {
    constructor(shapes: DatasetCore, options: { factory: DataFactory; debug?: boolean; details?: boolean });
    validate(data: { dataset: DatasetCore; terms?: Iterable<Term> }): Promise<unknown>;
  }
}
