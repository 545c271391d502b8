// Entry point: picks the page from the URL. Pages are loaded on demand.
import { initI18n } from './i18n.js';
import { testPaymentsBanner } from './lib/shell.js';

const routes = [
  [/^\/lesson\/([^/]+)\/?$/, async (m, q) => {
    const { mountRoom } = await import('./room/room.js');
    return mountRoom(root(), { lessonId: decodeURIComponent(m[1]), token: q.get('token') || '', h264: q.get('h264') === '1' });
  }],
  [/^\/signin\/?$/, async (m, q) => (await import('./pages/account.js')).mountSignIn(root(), q)],
  [/^\/signup\/?$/, async (m, q) => (await import('./pages/account.js')).mountSignUp(root(), q)],
  [/^\/account\/?$/, async () => (await import('./pages/account.js')).mountProfile(root())],
  [/^\/forgot-password\/?$/, async () => (await import('./pages/account.js')).mountForgot(root())],
  [/^\/verify-email\/?$/, async (m, q) => (await import('./pages/verify.js')).mountVerifyEmail(root(), q)],
  [/^\/reset-password\/?$/, async (m, q) => (await import('./pages/account.js')).mountResetConfirm(root(), q)],
  [/^\/courses\/?$/, async () => (await import('./pages/courses.js')).mountMyCourses(root())],
  [/^\/courses\/([^/]+)\/materials\/?$/, async (m) => (await import('./pages/materials.js')).mountMaterials(root(), decodeURIComponent(m[1]))],
  [/^\/courses\/([^/]+)\/exercises\/?$/, async (m) => (await import('./pages/exercises.js')).mountExercises(root(), decodeURIComponent(m[1]))],
  [/^\/courses\/([^/]+)\/?$/, async (m) => (await import('./pages/courses.js')).mountCourse(root(), decodeURIComponent(m[1]))],
  [/^\/purchases\/?$/, async () => (await import('./pages/billing.js')).mountPurchases(root())],
  [/^\/purchases\/([^/]+)\/?$/, async (m) => (await import('./pages/billing.js')).mountOrder(root(), decodeURIComponent(m[1]))],
  [/^\/refunds\/?$/, async () => (await import('./pages/billing.js')).mountRefunds(root())],
  [/^\/revenue\/?$/, async (m, q) => (await import('./pages/billing.js')).mountRevenue(root(), q)],
  [/^\/admin\/?$/, async (m, q) => (await import('./pages/admin.js')).mountAdmin(root(), q)],
  [/^\/?$/, async () => (await import('./pages/home.js')).mountHome(root())],
];

function root() {
  return document.getElementById('app');
}

async function main() {
  initI18n();
  testPaymentsBanner().catch(() => {});
  const q = new URLSearchParams(location.search);
  for (const [re, mount] of routes) {
    const m = re.exec(location.pathname);
    if (m) {
      await mount(m, q);
      return;
    }
  }
  (await import('./pages/home.js')).mountNotFound(root());
}

main().catch((err) => {
  console.error('lectern:', err);
});
