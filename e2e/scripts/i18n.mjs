// i18n.mjs <lessonURL>
// The UI language: picked from navigator.languages (the browser runs with
// a zh-CN locale), switched with the visible switch, remembered across a
// reload.
import { run, openPage } from './lib.mjs';

const [url] = process.argv.slice(2);

async function snapshot(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.lang,
    leave: document.querySelector('#leave')?.textContent.trim(),
    tab: document.querySelector('#tab-participants')?.textContent.trim(),
    status: document.querySelector('#status')?.textContent.trim(),
    switchValue: document.querySelector('#lang-switch')?.value,
  }));
}

run(async (ctx) => {
  const page = await openPage(ctx, url, 'page');
  await page.waitForSelector('#lang-switch');
  await page.waitForSelector('#status:not([data-status="connecting"])');
  const initial = await snapshot(page);
  await page.selectOption('#lang-switch', 'en');
  const english = await snapshot(page);
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('#lang-switch');
  const afterReload = await snapshot(page);
  await page.selectOption('#lang-switch', 'zh-CN');
  const chinese = await snapshot(page);
  return { initial, english, afterReload, chinese, errors: page.errors };
}, { locale: 'zh-CN' });
