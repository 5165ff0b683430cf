package main

import "testing"

// Flux's chart size flags reach the HelmChart controller, with Flux's
// defaults when unset.
func TestHelmChartFlags(t *testing.T) {
	opts, err := parseFlags("--helm-chart-max-size=2048", "--helm-chart-file-max-size=1024")
	if err != nil {
		t.Fatal(err)
	}
	if opts.helmChart.ChartSize != 2048 || opts.helmChart.FileSize != 1024 {
		t.Errorf("flags not applied: %+v", opts.helmChart.Limits)
	}
	opts, err = parseFlags()
	if err != nil {
		t.Fatal(err)
	}
	if opts.helmChart.ChartSize != 10<<20 || opts.helmChart.FileSize != 5<<20 {
		t.Errorf("defaults differ from Flux's: %+v", opts.helmChart.Limits)
	}
}
