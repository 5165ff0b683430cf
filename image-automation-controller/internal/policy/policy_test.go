package policy

import (
	"errors"
	"strings"
	"testing"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

func semverPolicy(r string) imagev1.ImagePolicyChoice {
	return imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: r}}
}

func alphabetical(order string) imagev1.ImagePolicyChoice {
	return imagev1.ImagePolicyChoice{Alphabetical: &imagev1.AlphabeticalPolicy{Order: order}}
}

func numerical(order string) imagev1.ImagePolicyChoice {
	return imagev1.ImagePolicyChoice{Numerical: &imagev1.NumericalPolicy{Order: order}}
}

func TestLatest(t *testing.T) {
	tests := []struct {
		name    string
		choice  imagev1.ImagePolicyChoice
		filter  *imagev1.TagFilter
		tags    []string
		want    string
		wantErr error
	}{
		// semver
		{name: "semver greatest in range", choice: semverPolicy(">=1.0.0 <2.0.0"),
			tags: []string{"1.0.0", "1.9.3", "2.0.0", "1.10.0", "latest"}, want: "1.10.0"},
		{name: "semver leading v", choice: semverPolicy("^1"), tags: []string{"v1.2.0", "v1.10.1", "v2.0.0"}, want: "v1.10.1"},
		{name: "semver caret", choice: semverPolicy("^1.2"), tags: []string{"1.2.0", "1.3.5", "1.2.9"}, want: "1.3.5"},
		{name: "semver tilde", choice: semverPolicy("~1.2.0"), tags: []string{"1.2.0", "1.3.5", "1.2.9"}, want: "1.2.9"},
		{name: "semver wildcard", choice: semverPolicy("1.x"), tags: []string{"1.0.0", "1.4.0", "3.0.0"}, want: "1.4.0"},
		{name: "semver range without prerelease skips them", choice: semverPolicy(">=1.0.0"),
			tags: []string{"1.0.0", "1.1.0-rc.1", "1.0.1"}, want: "1.0.1"},
		{name: "semver range with prerelease admits them", choice: semverPolicy(">=1.0.0-0"),
			tags: []string{"1.0.0", "1.1.0-rc.1", "1.0.1"}, want: "1.1.0-rc.1"},
		{name: "semver prereleases compare numerically", choice: semverPolicy(">=1.0.0-0"),
			tags: []string{"1.0.0-rc.9", "1.0.0-rc.10", "1.0.0-rc.2"}, want: "1.0.0-rc.10"},
		{name: "semver release beats its prerelease", choice: semverPolicy(">=1.0.0-0"),
			tags: []string{"1.0.0-rc.1", "1.0.0"}, want: "1.0.0"},
		{name: "semver non-strict tags are not versions", choice: semverPolicy("*"),
			tags: []string{"1.2", "20240101", "1", "0.0.1"}, want: "0.0.1"},
		{name: "semver equal versions: first given wins", choice: semverPolicy("*"),
			tags: []string{"v1.0.0", "1.0.0"}, want: "v1.0.0"},
		{name: "semver equal versions with builds: first given wins", choice: semverPolicy("*"),
			tags: []string{"1.0.0+b", "1.0.0+a"}, want: "1.0.0+b"},
		{name: "semver none in range", choice: semverPolicy("^3"), tags: []string{"1.0.0", "2.0.0"}, wantErr: ErrNoMatch},
		{name: "semver no versions", choice: semverPolicy("*"), tags: []string{"latest", "main"}, wantErr: ErrNoMatch},

		// alphabetical
		{name: "alphabetical asc picks the greatest", choice: alphabetical("asc"), tags: []string{"a", "c", "b"}, want: "c"},
		{name: "alphabetical default is asc", choice: alphabetical(""), tags: []string{"a", "c", "b"}, want: "c"},
		{name: "alphabetical desc picks the least", choice: alphabetical("desc"), tags: []string{"b", "a", "c"}, want: "a"},
		{name: "alphabetical compares bytes", choice: alphabetical("asc"), tags: []string{"Z", "a", "9"}, want: "a"},
		{name: "alphabetical timestamps", choice: alphabetical("asc"),
			tags: []string{"RELEASE.2024-01-01T00-00-00Z", "RELEASE.2024-03-01T00-00-00Z", "RELEASE.2023-12-31T00-00-00Z"},
			want: "RELEASE.2024-03-01T00-00-00Z"},

		// numerical
		{name: "numerical asc", choice: numerical("asc"), tags: []string{"1", "10", "9", "2"}, want: "10"},
		{name: "numerical desc", choice: numerical("desc"), tags: []string{"1", "10", "9", "2"}, want: "1"},
		{name: "numerical decimals and negatives", choice: numerical("asc"), tags: []string{"-1", "1.5", "1.25"}, want: "1.5"},
		{name: "numerical equal numbers: last given wins", choice: numerical("asc"), tags: []string{"01", "1", "0"}, want: "1"},
		{name: "numerical non-number fails", choice: numerical("asc"), tags: []string{"1", "latest"}, wantErr: ErrInvalidTag},

		// filterTags
		{name: "filter keeps matches", choice: semverPolicy("*"),
			filter: &imagev1.TagFilter{Pattern: `^1\.`}, tags: []string{"1.0.0", "1.2.0", "2.0.0"}, want: "1.2.0"},
		{name: "extract numbered group", choice: numerical("asc"),
			filter: &imagev1.TagFilter{Pattern: `^main-[a-f0-9]+-(\d+)$`, Extract: "$1"},
			tags:   []string{"main-abc123-100", "main-def456-99", "dev-fff-1000", "main-0aa-1000"}, want: "main-0aa-1000"},
		{name: "extract named group", choice: numerical("asc"),
			filter: &imagev1.TagFilter{Pattern: `^main-[a-f0-9]+-(?P<ts>\d+)$`, Extract: "$ts"},
			tags:   []string{"main-abc123-1700000000", "main-def456-1700000100"}, want: "main-def456-1700000100"},
		{name: "extract braced group", choice: semverPolicy("^1"),
			filter: &imagev1.TagFilter{Pattern: `^app-(?P<version>.*)$`, Extract: "${version}"},
			tags:   []string{"app-1.0.0", "app-1.3.0", "other-1.9.0"}, want: "app-1.3.0"},
		{name: "extract to equal values: last given wins", choice: alphabetical("asc"),
			filter: &imagev1.TagFilter{Pattern: `^(\w+)-\d+$`, Extract: "$1"},
			tags:   []string{"b-2", "b-1", "a-9"}, want: "b-1"},
		{name: "filter matches nothing", choice: semverPolicy("*"),
			filter: &imagev1.TagFilter{Pattern: `^release-`}, tags: []string{"1.0.0"}, wantErr: ErrNoMatch},
		{name: "no tags", choice: alphabetical("asc"), tags: nil, wantErr: ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.choice, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Latest(tt.tags)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %q, %v; want %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestInvalidPolicy(t *testing.T) {
	tests := []struct {
		name    string
		choice  imagev1.ImagePolicyChoice
		filter  *imagev1.TagFilter
		wantMsg string
	}{
		{name: "no policy", choice: imagev1.ImagePolicyChoice{}, wantMsg: "sets none of semver"},
		{name: "bad semver range", choice: semverPolicy("not a range"), wantMsg: "spec.policy.semver.range 'not a range' is not a semver range"},
		{name: "bad alphabetical order", choice: alphabetical("up"), wantMsg: "spec.policy.alphabetical.order 'up' is neither asc nor desc"},
		{name: "bad numerical order", choice: numerical("sideways"), wantMsg: "spec.policy.numerical.order"},
		{name: "pattern does not compile", choice: semverPolicy("*"), filter: &imagev1.TagFilter{Pattern: `^(unclosed`},
			wantMsg: "spec.filterTags.pattern '^(unclosed' is not a regular expression"},
		{name: "extract names a missing group", choice: semverPolicy("*"), filter: &imagev1.TagFilter{Pattern: `^v(?P<ver>.*)$`, Extract: "$version"},
			wantMsg: "names group 'version', which spec.filterTags.pattern '^v(?P<ver>.*)$' does not have (its groups: $1 ($ver))"},
		{name: "extract numbers a missing group", choice: semverPolicy("*"), filter: &imagev1.TagFilter{Pattern: `^v(.*)$`, Extract: "$2"},
			wantMsg: "names group '2'"},
		{name: "extract from a pattern without groups", choice: semverPolicy("*"), filter: &imagev1.TagFilter{Pattern: `^v`, Extract: "${1}"},
			wantMsg: "its groups: none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.choice, tt.filter)
			if !errors.Is(err, ErrInvalidPolicy) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %v, want ErrInvalidPolicy saying %q", err, tt.wantMsg)
			}
		})
	}
}

func TestGroupRefs(t *testing.T) {
	tests := map[string][]string{
		"$1":          {"1"},
		"${ts}-$2":    {"ts", "2"},
		"$$1":         nil,
		"plain":       nil,
		"${unclosed":  nil,
		"$ts.$minor":  {"ts", "minor"},
		"trailing $":  nil,
		"${a}${b_c1}": {"a", "b_c1"},
	}
	for tmpl, want := range tests {
		got := groupRefs(tmpl)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("groupRefs(%q) = %v, want %v", tmpl, got, want)
		}
	}
}
