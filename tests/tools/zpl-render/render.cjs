// Renders every label of a ZPL file to PNG with zpl-renderer-js (Zebrash), an implementation of ZPL
// we did not write: node render.cjs FILE.zpl OUT_PREFIX WIDTH_MM HEIGHT_MM DOTS_PER_MM
// Writes OUT_PREFIX-0001.png, … and prints how many labels it rendered.
const fs = require("node:fs");
const { ready } = require("zpl-renderer-js");

(async () => {
  const [zplFile, outPrefix, widthMm, heightMm, dotsPerMm] = process.argv.slice(2);
  const { api } = await ready;
  const labels = await api.zplToBase64MultipleAsync(fs.readFileSync(zplFile, "utf8"), Number(widthMm), Number(heightMm), Number(dotsPerMm));
  labels.forEach((png, i) => fs.writeFileSync(`${outPrefix}-${String(i + 1).padStart(4, "0")}.png`, Buffer.from(png, "base64")));
  console.log(labels.length);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
