// Screenshot of one trace in the Aspire dashboard with Debian's headless Chromium, driven by
// playwright-core (the dashboard is a Blazor app: the page is drawn after its circuit connects, so
// this waits for the span names instead of shooting at the load event). Used by scripts/dashboard.sh.
// node dashboard-shot.js URL OUT.png PROFILE_DIR
const { chromium } = require('playwright-core');
(async () => {
  const [url, out, profile] = process.argv.slice(2);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByText('vhd.block.allocate').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: out });
  await context.close();
})().catch(e => { console.error(e.message); process.exit(1); });
