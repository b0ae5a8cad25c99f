// The web app manifest (static/manifest.webmanifest) that makes the SPA installable: what
// Chromium's installability check asks for, the brand's colours, and icons that are what they say.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(path, import.meta.url));
const manifest = JSON.parse(read("../static/manifest.webmanifest").toString("utf8")) as {
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose: string }[];
};
const css = read("./app.css").toString("utf8");
const cssColour = (name: string) => new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, "i").exec(css)?.[1];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("the web app manifest", () => {
  it("names the app and opens it standalone at its start, within its scope", () => {
    expect(manifest.name).toBe("GrowIt");
    expect(manifest.short_name).toBe("GrowIt");
    expect(manifest.display).toBe("standalone");
    expect(manifest.start_url).toBe("/");
    expect(manifest.start_url.startsWith(manifest.scope)).toBe(true);
  });

  it("takes its colours from the brand: the theme from --brand (as app.html's theme-color), the splash from --bg", () => {
    expect(manifest.theme_color).toBe(cssColour("brand"));
    expect(manifest.background_color).toBe(cssColour("bg"));
    expect(read("./app.html").toString("utf8")).toContain(
      `<meta name="theme-color" content="${manifest.theme_color}" />`,
    );
  });

  it("has 192 and 512 px icons, plain and maskable, each a PNG of the size it claims", () => {
    for (const purpose of ["any", "maskable"]) {
      const sizes = manifest.icons.filter((icon) => icon.purpose === purpose).map((icon) => icon.sizes);
      expect(sizes, purpose).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    }
    for (const icon of manifest.icons) {
      expect(icon.type).toBe("image/png");
      const [width, height] = icon.sizes.split("x").map(Number);
      expect(pngSize(read(`../static${icon.src}`)), icon.src).toEqual({ width, height });
    }
  });
});
