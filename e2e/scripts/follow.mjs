// follow.mjs <pageURL> <cookiesJSON>
// On several nodes: a signed-in student opens the lesson at one node; the
// join token names the node serving the lesson and the room's WebSocket
// goes there. The Go test then stops that node ("stopped" on stdin); the
// room reconnects, asking for a fresh token, to the node now serving it.
import { run, emit, openPage, waitLine, waitStatus, signedInSockets } from './lib.mjs';

const [pageURL, cookiesJSON] = process.argv.slice(2);

run(async (ctx) => {
  const sockets = await signedInSockets(ctx, pageURL, cookiesJSON);
  const page = await openPage(ctx, pageURL, 'student');
  await waitStatus(page, 'live', 30000);
  emit({ event: 'joined', sockets: [...sockets] });
  if ((await waitLine(30000)).trim() !== 'stopped') throw new Error('no "stopped" from the test');
  await waitStatus(page, 'reconnecting', 20000);
  await waitStatus(page, 'live', 40000);
  return { sockets, errors: page.errors };
}, { totalMs: 120000 });
