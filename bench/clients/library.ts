// How the library's benchmark clients connect: as a user of imaplib would, default options
// (no timeout: imaplib's default), implicit TLS when the job asks for it.

import { IMAP4, IMAP4_SSL } from "../../mod.ts";
import { caPem, type Job } from "./common.ts";

/** A connected, not yet logged-in client for `job` (IMAP4_SSL when `job.tls` is set). */
export async function connectLibrary(job: Job): Promise<IMAP4> {
  return job.tls
    ? await IMAP4_SSL.connect(job.host, job.port, { tls: { caCerts: [await caPem(job)] } })
    : await IMAP4.connect(job.host, job.port);
}
