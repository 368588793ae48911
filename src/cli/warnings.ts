/**
 * Process warnings that say nothing to a user of the command line. undici announces its
 * SOCKS5 agent as experimental on every run through a SOCKS proxy (`--proxy socks5://…`,
 * Tor), and through one it names an IP-address registry as the TLS server name, which Node
 * deprecates (DEP0123; the name is ignored, nothing is weakened). Those lines would land
 * among ocidist's own on stderr. Other warnings pass.
 * @module
 */

const QUIET = ["SOCKS5 proxy support is experimental", "Setting the TLS ServerName to an IP address"];

/** Drops the warnings in the list above; call once, at start-up of the CLI (a library leaves its host's warnings alone). */
export function quietWarnings(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (QUIET.some((q) => text.includes(q))) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
