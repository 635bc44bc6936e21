/** The body of an HTTP(S) GET, as it arrives; a status other than 2xx is an error naming it. */
export async function* httpBytes(uri: string): AsyncIterable<Uint8Array> {
  const res = await fetch(uri, { redirect: 'follow' });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`the server answered ${res.status} ${res.statusText}`);
  }
  yield* res.body as unknown as AsyncIterable<Uint8Array>;
}
