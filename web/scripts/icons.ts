// Renders the app's PNG icons from static/icons/icon.svg in Debian's Chromium:
// `npx tsx web/scripts/icons.ts`. The maskable ones are the drawing full bleed (the launcher
// crops them to its own shape); the others have rounded corners, for where they show as they are.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../../e2e/browser.ts";

const ICONS = join(import.meta.dirname, "../static/icons");
const SIZES = [192, 512];
const VARIANTS = [
  { name: "icon", radius: "22%" },
  { name: "maskable", radius: "0" },
];

const svg = readFileSync(join(ICONS, "icon.svg"), "utf8");
const source = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  for (const size of SIZES) {
    await page.setViewportSize({ width: size, height: size });
    for (const { name, radius } of VARIANTS) {
      await page.setContent(
        `<body style="margin:0"><img src="${source}" width="${size}" height="${size}" style="display:block;border-radius:${radius}"></body>`,
      );
      await page.locator("img").evaluate((img: HTMLImageElement) => img.decode());
      const path = join(ICONS, `${name}-${size}.png`);
      await page.screenshot({ path, omitBackground: true });
      console.log(path);
    }
  }
} finally {
  await browser.close();
}
