// Package viz draws what mmi produces as PNG files: scatter plots of 2-D
// sample sets, trajectories of the generative ODE between two sets of
// points, and grids of grayscale images (MNIST digits, style-transfer
// tables).
//
// Plots use gonum.org/v1/plot and pure-Go rasterization; image grids are
// built pixel by pixel with the standard library's image/png. Every file is
// written atomically (a temporary file in the same directory, renamed into
// place), so a reader never sees a half-written PNG. Bad input (sizes that
// do not fit, NaN or infinite coordinates) is reported as an error, not a
// panic: it usually comes from user files or diverged integrations.
package viz
