// How the library's benchmark clients connect: as a user of imaplib would, default options
// (no timeout: imaplib's default), implicit TLS when the job asks for it.

import { IMAP4, IMAP4_SSL } from "../../mod.ts";
import { caPem, type Job } from "./common.ts";

/**
 * A client for `job` (IMAP4_SSL when `job.tls` is set), logged in, with `job.mailbox`
 * selected; `exists` is the EXISTS count SELECT reported.
 */
export async function openMailbox(
  job: Job,
): Promise<{ M: IMAP4; exists: number }> {
  const M = job.tls
    ? await IMAP4_SSL.connect(job.host, job.port, {
      tls: { caCerts: [await caPem(job)] },
    })
    : await IMAP4.connect(job.host, job.port);
  await M.login(job.user, job.password);
  const [, selected] = await M.select(job.mailbox);
  return {
    M,
    exists: Number(new TextDecoder().decode(selected[0] as Uint8Array)),
  };
}
