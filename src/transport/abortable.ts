/**
 * Settles with `pending`, or rejects with the signal's reason when `signal` aborts first.
 * Runtime APIs such as `Deno.connect` take no signal; a resource that arrives after the abort
 * is handed to `dispose` so that it does not leak.
 */
export function untilAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal | undefined,
  dispose: (late: T) => void,
): Promise<T> {
  if (!signal) return pending;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      pending.then(dispose, () => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        // After an abort, onAbort has already arranged the disposal.
        if (!signal.aborted) resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
