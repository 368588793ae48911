/**
 * Basic authentication against an htpasswd file of bcrypt entries (`htpasswd -B`, as
 * docker-registry reads it): a request without valid credentials gets 401 `UNAUTHORIZED`
 * with a `WWW-Authenticate: Basic` challenge. Credentials that passed are remembered by
 * their hash, so bcrypt runs once per client rather than once per request; at most
 * {@link SERVE_MAX_PASSWORD_CHECKS} bcrypt comparisons run at once (each holds the server's only
 * thread for tens of milliseconds), so a flood of wrong passwords gets 429 rather than
 * stalling every pull.
 * @module
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import bcrypt from "bcryptjs";
import { OcidistError } from "../model/errors.js";
import { SERVE_MAX_PASSWORD_CHECKS, SERVE_MAX_REMEMBERED_CREDENTIALS } from "../model/limits.js";
import { ServeError } from "./errors.js";

/** The realm of the challenge. */
export const REALM = "ocidist";

/** An htpasswd file's users. */
export class Htpasswd {
  private readonly passed = new Set<string>();
  private checking = 0;

  private constructor(private readonly users: Map<string, string>) {}

  /** Reads FILE: `user:$2y$…` lines (bcrypt only; other hashes are refused). @throws OcidistError */
  static async load(file: string): Promise<Htpasswd> {
    const text = await readFile(file, "utf8").catch((err: Error) => {
      throw new OcidistError(`cannot read htpasswd file ${file}: ${err.message}`);
    });
    const users = new Map<string, string>();
    for (const [i, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) continue;
      const colon = line.indexOf(":");
      const hash = line.slice(colon + 1);
      if (colon <= 0 || !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
        throw new OcidistError(`${file} line ${i + 1}: not a bcrypt entry (make one with htpasswd -B)`);
      }
      users.set(line.slice(0, colon), hash);
    }
    if (!users.size) throw new OcidistError(`${file} has no users`);
    return new Htpasswd(users);
  }

  /** The user an `Authorization` header proves, or throws 401 with the challenge. */
  async check(header: string | undefined): Promise<string> {
    const challenge = () => new ServeError(401, "UNAUTHORIZED", "authentication required", { "WWW-Authenticate": `Basic realm="${REALM}"` });
    const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
    if (!m) throw challenge();
    const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) throw challenge();
    const user = decoded.slice(0, colon);
    const hash = this.users.get(user);
    const key = createHash("sha256").update(decoded).digest("hex");
    if (hash && this.passed.has(key)) return user;
    if (!hash) throw challenge();
    if (this.checking >= SERVE_MAX_PASSWORD_CHECKS) throw new ServeError(429, "TOOMANYREQUESTS", "too many password checks at once; try again", { "Retry-After": "1" });
    this.checking++;
    try {
      if (!(await bcrypt.compare(decoded.slice(colon + 1), hash))) throw challenge();
    } finally {
      this.checking--;
    }
    if (this.passed.size >= SERVE_MAX_REMEMBERED_CREDENTIALS) this.passed.clear();
    this.passed.add(key);
    return user;
  }
}
