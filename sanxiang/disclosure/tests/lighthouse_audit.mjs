// Lighthouse (npm, pinned in package.json) against Debian's Chromium, one browser for every URL.
// Usage: CHROME_PATH=/usr/bin/chromium node lighthouse_audit.mjs CATEGORIES URL... > result.json
// CATEGORIES is a comma-separated list (accessibility,seo,performance,best-practices).
// Prints {url: {scores: {category: 0..100}, failing: [{id, title, category}]}} as JSON.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [categories, ...urls] = process.argv.slice(2);
const onlyCategories = categories.split(",");
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const results = {};
try {
  for (const url of urls) {
    const runner = await lighthouse(
      url,
      { port: chrome.port, output: "json", logLevel: "error" },
      {
        extends: "lighthouse:default",
        settings: { onlyCategories, formFactor: "mobile", locale: "zh" },
      },
    );
    const lhr = runner.lhr;
    const scores = {};
    const failing = [];
    for (const [name, category] of Object.entries(lhr.categories)) {
      scores[name] = Math.round((category.score ?? 0) * 100);
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          const nodes = (audit.details?.items ?? [])
            .map((item) => item.node?.snippet)
            .filter(Boolean)
            .slice(0, 5);
          failing.push({ id: ref.id, title: audit.title, category: name, nodes });
        }
      }
    }
    results[url] = { scores, failing, runtimeError: lhr.runtimeError?.message ?? null };
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results));
