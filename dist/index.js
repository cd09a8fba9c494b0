// Starts index.mjs, the bundle built by scripts/build.mjs (see there why it is a .mjs file behind this one).
import './index.mjs';
