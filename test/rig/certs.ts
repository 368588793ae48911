/**
 * Test certificates made with the openssl CLI: a CA, a server certificate for 127.0.0.1 and
 * localhost signed by it, and a self-signed certificate for the token issuer's signing key.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Paths of the rig's certificates and keys. */
export interface RigCerts {
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** The token issuer's signing key (PEM) and its certificate (the registry's rootcertbundle). */
  issuerKey: string;
  issuerCert: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** Creates the certificates in `dir`. */
export function makeCerts(dir: string): RigCerts {
  const p = (n: string) => join(dir, n);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ocidist test CA", "-keyout", p("ca.key"), "-out", p("ca.pem")], dir);
  writeFileSync(p("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", p("server.key"), "-out", p("server.csr")], dir);
  openssl(["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", p("san.ext"), "-out", p("server.pem")], dir);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ocidist test token issuer", "-keyout", p("issuer.key"), "-out", p("issuer.pem")], dir);
  return { caCert: p("ca.pem"), serverCert: p("server.pem"), serverKey: p("server.key"), issuerKey: p("issuer.key"), issuerCert: p("issuer.pem") };
}
