// Package helmrepo is the HTTP(S) client of classic Helm chart
// repositories (HelmRepository type 'default'): it builds the client
// options from a HelmRepository and its Secrets, fetches index.yaml and
// downloads chart packages, each under a size cap.
//
// Credentials follow Helm's and Flux's rule: they go to the repository's
// own scheme and host, and to other hosts only with spec.passCredentials.
// Errors name the URL without credentials and say what to do; classify
// them with errors.Is against ErrUnauthorized, ErrNotFound, ErrTooLarge,
// ErrTLS, ErrInvalidURL and ErrInvalidSecret.
//
//	opts, err := helmrepo.ClientOptions(ctx, reader, repo)   // Secrets read here
//	index, err := helmrepo.FetchIndex(ctx, repo.Spec.URL, opts, maxIndexSize)
//	url, err := helmrepo.ChartURL(repo.Spec.URL, chartVersion.URLs[0])
//	tgz, err := helmrepo.DownloadChart(ctx, url, opts, maxChartSize)
package helmrepo
