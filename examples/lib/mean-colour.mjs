// Runs in a worker thread, once per frame: the mean colour of the frame's picture area.
// Any CPU-heavy per-frame work (a detector, a classifier) goes here the same way.
export default function meanColour(frame) {
  const { data, width, height } = frame;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < width * height * 3; i += 3) {
    r += data[i];
    g += data[i + 1];
    b += data[i + 2];
  }
  const n = width * height;
  return { r: Math.round(r / n), g: Math.round(g / n), b: Math.round(b / n) };
}
