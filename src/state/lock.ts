// One process at a time per state directory: a lock file holding the owner's pid. A lock left by
// a process that no longer runs (SIGKILL, crash) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

export interface Lock {
  release(): void;
}

export class StateLockedError extends Error {
  override name = "StateLockedError";
}

export function acquireLock(file: string): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(safeRead(file));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new StateLockedError(`state directory is in use by process ${owner} (${file})`);
      }
      try {
        unlinkSync(file);
      } catch {
        // another process removed the stale lock first; try again
      }
    }
  }
  throw new StateLockedError(`cannot lock ${file}`);
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
