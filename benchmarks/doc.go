// Package benchmarks measures each package of apiroutes against what a
// handler would do without it (the standard library, or a rival package),
// so that the cost of the Next.js behaviour is known and kept small.
//
// Benchmarks are named Benchmark<Package>/<case>/<baseline-or-ours>, ours
// being "apiroutes". run.sh runs them and compares ours with each baseline
// with benchstat; README.md holds the latest results and the machine.
package benchmarks
