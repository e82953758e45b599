// The running server's signed audit checkpoints: after `audit.checkpointEvery` new entries (looked
// at on the server's poll) and once more when it stops. The key store is opened on first need; a
// failure is reported and retried later, never a reason to stop answering.
import { checkpointsPath, readCheckpoints, writeCheckpoint, type AuditSink, type CheckpointSigner } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { checkpointSigner } from '../trust/index.js';

export class ServerCheckpoints {
  private signer: Promise<CheckpointSigner> | undefined;
  private lastSigned: number;
  private busy: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(
    private readonly config: Config,
    private readonly audit: AuditSink,
  ) {
    this.lastSigned = readCheckpoints(checkpointsPath(config.dataDir)).at(-1)?.seq ?? 0;
  }

  /** Sign the head when `checkpointEvery` entries arrived since the last one (any new entry with `force`). */
  tick(force = false): Promise<void> {
    // a poll while one is signing is skipped; the final (forced) one waits for it and runs after
    if (this.pending && !force) return this.busy;
    this.pending = true;
    this.busy = this.busy.then(() => this.run(force)).finally(() => (this.pending = false));
    return this.busy;
  }

  private async run(force: boolean): Promise<void> {
    try {
      const head = this.audit.durableHead();
      const fresh = head.seq - this.lastSigned;
      if (fresh <= 0 || (!force && fresh < this.config.audit.checkpointEvery)) return;
      this.signer ??= checkpointSigner(this.config);
      const signed = await writeCheckpoint(this.config.dataDir, await this.signer);
      if (signed) this.lastSigned = signed.seq;
    } catch (error) {
      this.signer = undefined;
      console.error(`audit checkpoint not signed: ${(error as Error).message}`);
    }
  }
}
