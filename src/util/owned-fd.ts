/**
 * A file descriptor owned by one stream (`FileReader`, `FileWriter`): closed exactly once,
 * whichever way the stream ends.
 * @module
 */
import { closeSync } from "node:fs";

/** An open descriptor, or none yet / none any more. */
export class OwnedFd {
  constructor(private value?: number) {}

  /** The descriptor. @throws Error when it is not open */
  get fd(): number {
    if (this.value === undefined) throw new Error("file is not open");
    return this.value;
  }

  /** Takes ownership of a descriptor opened later. */
  set fd(fd: number) {
    this.value = fd;
  }

  /** Closes it (once; later calls do nothing). */
  close(): void {
    const fd = this.value;
    this.value = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  /** Closes it on a stream's way out, where the stream's own error (if any) is what is reported. */
  closeQuietly(): void {
    try {
      this.close();
    } catch {
      // See above: the first error is the one reported.
    }
  }
}
