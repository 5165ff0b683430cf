// Package benchmarks measures the source-controller's artifact path against
// the plain tools a user would otherwise script (git clone and tar), in the
// same run on the same repository. It holds only benchmarks: `make bench`.
package benchmarks
