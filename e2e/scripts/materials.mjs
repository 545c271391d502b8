// materials.mjs <baseURL> <pdfPath> <liarPath>
// Course materials in the browser: a teacher creates a course, uploads a
// PDF through tus-js-client with its progress shown, reads it in the page
// with pdf.js (page count, next page), and sees a file whose extension
// lies refused with the server's reason, in Chinese, and a damaged PDF
// shown with pdf.js's reason.
import { runBrowser, screenshot, signUpTeacher, createCourse, submitForReview } from './lib.mjs';

const [base, pdfPath, liarPath, brokenPath] = process.argv.slice(2);
const stamp = Date.now().toString(36);

runBrowser(async (newContext) => {
  const shots = [];
  const email = `teacher-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Li', email);
  await createCourse(teacher, { title: 'Slides course' });
  await submitForReview(teacher); // students see published courses only
  await teacher.click('#course-materials');
  await teacher.waitForSelector('#materials-upload', { timeout: 10000 });

  await teacher.setInputFiles('#materials-file', pdfPath);
  await teacher.waitForSelector('#uploads [data-upload][data-done]', { timeout: 20000 });
  const uploadState = await teacher.$eval('#uploads [data-upload]', (el) => el.dataset.done);
  const progress = await teacher.$eval('#uploads [data-upload] progress', (el) => el.value);
  await teacher.waitForSelector('#materials-list [data-material][data-kind="pdf"]', { timeout: 10000 });
  const row = await teacher.$eval('#materials-list [data-material]', (el) => el.textContent);
  // The browser renders the first page and stores it as the thumbnail.
  await teacher.waitForFunction(() => {
    const img = document.querySelector('#materials-list img.material-thumb');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 20000 });
  const thumbWidth = await teacher.$eval('#materials-list img.material-thumb', (el) => el.naturalWidth);
  await teacher.click('#materials-list [data-open]');
  await teacher.waitForSelector('#material-viewer [data-pdf][data-page="1"]', { timeout: 20000 });
  const pages = await teacher.$eval('#material-viewer [data-pdf]', (el) => el.dataset.pages);
  await teacher.click('#material-viewer [data-pdf-next]');
  await teacher.waitForSelector('#material-viewer [data-pdf][data-page="2"]', { timeout: 10000 });
  const canvasWidth = await teacher.$eval('#material-viewer canvas', (el) => el.width);
  shots.push(await screenshot(teacher, 'materials-teacher'));

  await teacher.selectOption('#lang-switch', 'zh-CN');
  await teacher.setInputFiles('#materials-file', liarPath);
  await teacher.waitForSelector('#uploads [data-upload][data-done="error"]', { timeout: 20000 });
  const refusal = await teacher.$eval('#uploads [data-upload][data-done="error"]', (el) => el.textContent);
  shots.push(await screenshot(teacher, 'materials-refused'));

  // A file that starts like a PDF but pdf.js cannot open: pdf.js's reason.
  await teacher.setInputFiles('#materials-file', brokenPath);
  await teacher.waitForSelector('#materials-list [data-material]:has-text("broken.pdf") [data-open]', { timeout: 20000 });
  await teacher.click('#materials-list [data-material]:has-text("broken.pdf") [data-open]');
  await teacher.waitForSelector('#material-viewer [data-pdf][data-error]', { timeout: 20000 });
  const broken = await teacher.$eval('#material-viewer [data-pdf][data-error]', (el) => el.textContent);
  return {
    uploadState, progress, row, thumbWidth, pages, canvasWidth, refusal, broken,
    screenshots: shots.filter(Boolean),
    errors: teacher.errors,
  };
}, { totalMs: 60000 });
