#!/usr/bin/env node
// Starts cli.mjs, the bundle built by scripts/build.mjs (see there why it is a .mjs file behind this one).
import './cli.mjs';
