package benchmarks

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiroutes/apiroutes/route"
)

// The route benchmarks compare route.Mux, a segment trie in Next's order,
// with http.ServeMux ("servemux") and github.com/go-chi/chi/v5 ("chi"),
// each holding the same table: githubRoutes, shaped like the GitHub REST
// API, or its first 10 or 100 routes, so that a lookup's cost can be seen
// not to grow with the table.

// githubRoutes is the realistic table, as Next patterns: the routes the
// benchmarks request come first, so that every table holds them.
var githubRoutes = []string{
	"/user",
	"/users/[username]",
	"/repos/[owner]/[repo]/issues/[issue_number]",
	"/repos/[owner]/[repo]/contents/[...path]",
	"/meta",
	"/rate_limit",
	"/user/repos",
	"/orgs/[org]",
	"/orgs/[org]/repos",
	"/repos/[owner]/[repo]",
	"/emojis",
	"/user/orgs",
	"/user/emails",
	"/user/followers",
	"/user/following",
	"/user/following/[username]",
	"/user/keys",
	"/user/keys/[key_id]",
	"/user/gpg_keys",
	"/user/gpg_keys/[gpg_key_id]",
	"/user/starred",
	"/user/starred/[owner]/[repo]",
	"/user/subscriptions",
	"/user/teams",
	"/user/issues",
	"/user/installations",
	"/user/installations/[installation_id]/repositories",
	"/user/migrations",
	"/user/migrations/[migration_id]",
	"/user/packages",
	"/user/packages/[package_type]/[package_name]",
	"/user/codespaces",
	"/user/codespaces/[codespace_name]",
	"/user/blocks",
	"/user/blocks/[username]",
	"/user/ssh_signing_keys",
	"/user/social_accounts",
	"/users",
	"/users/[username]/repos",
	"/users/[username]/orgs",
	"/users/[username]/followers",
	"/users/[username]/following",
	"/users/[username]/following/[target_user]",
	"/users/[username]/gists",
	"/users/[username]/keys",
	"/users/[username]/gpg_keys",
	"/users/[username]/starred",
	"/users/[username]/subscriptions",
	"/users/[username]/events",
	"/users/[username]/events/public",
	"/users/[username]/received_events",
	"/users/[username]/hovercard",
	"/users/[username]/packages",
	"/users/[username]/projects",
	"/users/[username]/installation",
	"/orgs/[org]/members",
	"/orgs/[org]/members/[username]",
	"/orgs/[org]/public_members",
	"/orgs/[org]/public_members/[username]",
	"/orgs/[org]/memberships/[username]",
	"/orgs/[org]/teams",
	"/orgs/[org]/teams/[team_slug]",
	"/orgs/[org]/teams/[team_slug]/members",
	"/orgs/[org]/teams/[team_slug]/repos",
	"/orgs/[org]/teams/[team_slug]/repos/[owner]/[repo]",
	"/orgs/[org]/teams/[team_slug]/discussions",
	"/orgs/[org]/teams/[team_slug]/discussions/[discussion_number]",
	"/orgs/[org]/teams/[team_slug]/discussions/[discussion_number]/comments",
	"/orgs/[org]/hooks",
	"/orgs/[org]/hooks/[hook_id]",
	"/orgs/[org]/hooks/[hook_id]/pings",
	"/orgs/[org]/hooks/[hook_id]/deliveries",
	"/orgs/[org]/installations",
	"/orgs/[org]/invitations",
	"/orgs/[org]/invitations/[invitation_id]",
	"/orgs/[org]/outside_collaborators",
	"/orgs/[org]/outside_collaborators/[username]",
	"/orgs/[org]/projects",
	"/orgs/[org]/packages",
	"/orgs/[org]/packages/[package_type]/[package_name]",
	"/orgs/[org]/actions/secrets",
	"/orgs/[org]/actions/secrets/[secret_name]",
	"/orgs/[org]/actions/variables",
	"/orgs/[org]/actions/variables/[name]",
	"/orgs/[org]/actions/runners",
	"/orgs/[org]/actions/runners/[runner_id]",
	"/orgs/[org]/actions/permissions",
	"/orgs/[org]/events",
	"/orgs/[org]/issues",
	"/orgs/[org]/migrations",
	"/orgs/[org]/blocks",
	"/orgs/[org]/blocks/[username]",
	"/orgs/[org]/copilot/billing",
	"/orgs/[org]/settings/billing/actions",
	"/orgs/[org]/audit-log",
	"/orgs/[org]/rulesets",
	"/orgs/[org]/rulesets/[ruleset_id]",
	"/orgs/[org]/dependabot/alerts",
	"/orgs/[org]/code-scanning/alerts",
	"/orgs/[org]/secret-scanning/alerts",
	"/repos/[owner]/[repo]/issues",
	"/repos/[owner]/[repo]/issues/comments",
	"/repos/[owner]/[repo]/issues/comments/[comment_id]",
	"/repos/[owner]/[repo]/issues/comments/[comment_id]/reactions",
	"/repos/[owner]/[repo]/issues/events",
	"/repos/[owner]/[repo]/issues/events/[event_id]",
	"/repos/[owner]/[repo]/issues/[issue_number]/comments",
	"/repos/[owner]/[repo]/issues/[issue_number]/events",
	"/repos/[owner]/[repo]/issues/[issue_number]/labels",
	"/repos/[owner]/[repo]/issues/[issue_number]/labels/[name]",
	"/repos/[owner]/[repo]/issues/[issue_number]/assignees",
	"/repos/[owner]/[repo]/issues/[issue_number]/lock",
	"/repos/[owner]/[repo]/issues/[issue_number]/reactions",
	"/repos/[owner]/[repo]/issues/[issue_number]/timeline",
	"/repos/[owner]/[repo]/pulls",
	"/repos/[owner]/[repo]/pulls/comments",
	"/repos/[owner]/[repo]/pulls/comments/[comment_id]",
	"/repos/[owner]/[repo]/pulls/[pull_number]",
	"/repos/[owner]/[repo]/pulls/[pull_number]/commits",
	"/repos/[owner]/[repo]/pulls/[pull_number]/files",
	"/repos/[owner]/[repo]/pulls/[pull_number]/merge",
	"/repos/[owner]/[repo]/pulls/[pull_number]/comments",
	"/repos/[owner]/[repo]/pulls/[pull_number]/reviews",
	"/repos/[owner]/[repo]/pulls/[pull_number]/reviews/[review_id]",
	"/repos/[owner]/[repo]/pulls/[pull_number]/reviews/[review_id]/comments",
	"/repos/[owner]/[repo]/pulls/[pull_number]/requested_reviewers",
	"/repos/[owner]/[repo]/pulls/[pull_number]/update-branch",
	"/repos/[owner]/[repo]/commits",
	"/repos/[owner]/[repo]/commits/[ref]",
	"/repos/[owner]/[repo]/commits/[ref]/status",
	"/repos/[owner]/[repo]/commits/[ref]/statuses",
	"/repos/[owner]/[repo]/commits/[ref]/check-runs",
	"/repos/[owner]/[repo]/commits/[ref]/check-suites",
	"/repos/[owner]/[repo]/commits/[ref]/comments",
	"/repos/[owner]/[repo]/commits/[ref]/pulls",
	"/repos/[owner]/[repo]/compare/[basehead]",
	"/repos/[owner]/[repo]/branches",
	"/repos/[owner]/[repo]/branches/[branch]",
	"/repos/[owner]/[repo]/branches/[branch]/protection",
	"/repos/[owner]/[repo]/branches/[branch]/protection/required_status_checks",
	"/repos/[owner]/[repo]/branches/[branch]/protection/restrictions",
	"/repos/[owner]/[repo]/branches/[branch]/rename",
	"/repos/[owner]/[repo]/tags",
	"/repos/[owner]/[repo]/tags/protection",
	"/repos/[owner]/[repo]/releases",
	"/repos/[owner]/[repo]/releases/latest",
	"/repos/[owner]/[repo]/releases/generate-notes",
	"/repos/[owner]/[repo]/releases/tags/[tag]",
	"/repos/[owner]/[repo]/releases/assets/[asset_id]",
	"/repos/[owner]/[repo]/releases/[release_id]",
	"/repos/[owner]/[repo]/releases/[release_id]/assets",
	"/repos/[owner]/[repo]/releases/[release_id]/reactions",
	"/repos/[owner]/[repo]/git/blobs",
	"/repos/[owner]/[repo]/git/blobs/[file_sha]",
	"/repos/[owner]/[repo]/git/commits",
	"/repos/[owner]/[repo]/git/commits/[commit_sha]",
	"/repos/[owner]/[repo]/git/refs",
	"/repos/[owner]/[repo]/git/ref/[...ref]",
	"/repos/[owner]/[repo]/git/matching-refs/[...ref]",
	"/repos/[owner]/[repo]/git/tags",
	"/repos/[owner]/[repo]/git/tags/[tag_sha]",
	"/repos/[owner]/[repo]/git/trees",
	"/repos/[owner]/[repo]/git/trees/[tree_sha]",
	"/repos/[owner]/[repo]/readme",
	"/repos/[owner]/[repo]/readme/[...dir]",
	"/repos/[owner]/[repo]/tarball/[...ref]",
	"/repos/[owner]/[repo]/zipball/[...ref]",
	"/repos/[owner]/[repo]/collaborators",
	"/repos/[owner]/[repo]/collaborators/[username]",
	"/repos/[owner]/[repo]/collaborators/[username]/permission",
	"/repos/[owner]/[repo]/comments",
	"/repos/[owner]/[repo]/comments/[comment_id]",
	"/repos/[owner]/[repo]/comments/[comment_id]/reactions",
	"/repos/[owner]/[repo]/contributors",
	"/repos/[owner]/[repo]/languages",
	"/repos/[owner]/[repo]/topics",
	"/repos/[owner]/[repo]/teams",
	"/repos/[owner]/[repo]/forks",
	"/repos/[owner]/[repo]/stargazers",
	"/repos/[owner]/[repo]/subscribers",
	"/repos/[owner]/[repo]/subscription",
	"/repos/[owner]/[repo]/events",
	"/repos/[owner]/[repo]/hooks",
	"/repos/[owner]/[repo]/hooks/[hook_id]",
	"/repos/[owner]/[repo]/hooks/[hook_id]/tests",
	"/repos/[owner]/[repo]/hooks/[hook_id]/pings",
	"/repos/[owner]/[repo]/hooks/[hook_id]/deliveries",
	"/repos/[owner]/[repo]/keys",
	"/repos/[owner]/[repo]/keys/[key_id]",
	"/repos/[owner]/[repo]/labels",
	"/repos/[owner]/[repo]/labels/[name]",
	"/repos/[owner]/[repo]/milestones",
	"/repos/[owner]/[repo]/milestones/[milestone_number]",
	"/repos/[owner]/[repo]/milestones/[milestone_number]/labels",
	"/repos/[owner]/[repo]/deployments",
	"/repos/[owner]/[repo]/deployments/[deployment_id]",
	"/repos/[owner]/[repo]/deployments/[deployment_id]/statuses",
	"/repos/[owner]/[repo]/environments",
	"/repos/[owner]/[repo]/environments/[environment_name]",
	"/repos/[owner]/[repo]/actions/workflows",
	"/repos/[owner]/[repo]/actions/workflows/[workflow_id]",
	"/repos/[owner]/[repo]/actions/workflows/[workflow_id]/runs",
	"/repos/[owner]/[repo]/actions/workflows/[workflow_id]/dispatches",
	"/repos/[owner]/[repo]/actions/runs",
	"/repos/[owner]/[repo]/actions/runs/[run_id]",
	"/repos/[owner]/[repo]/actions/runs/[run_id]/jobs",
	"/repos/[owner]/[repo]/actions/runs/[run_id]/logs",
	"/repos/[owner]/[repo]/actions/runs/[run_id]/rerun",
	"/repos/[owner]/[repo]/actions/runs/[run_id]/cancel",
	"/repos/[owner]/[repo]/actions/runs/[run_id]/artifacts",
	"/repos/[owner]/[repo]/actions/jobs/[job_id]",
	"/repos/[owner]/[repo]/actions/jobs/[job_id]/logs",
	"/repos/[owner]/[repo]/actions/artifacts",
	"/repos/[owner]/[repo]/actions/artifacts/[artifact_id]",
	"/repos/[owner]/[repo]/actions/secrets",
	"/repos/[owner]/[repo]/actions/secrets/[secret_name]",
	"/repos/[owner]/[repo]/actions/variables",
	"/repos/[owner]/[repo]/actions/variables/[name]",
	"/repos/[owner]/[repo]/actions/runners",
	"/repos/[owner]/[repo]/actions/caches",
	"/repos/[owner]/[repo]/check-runs",
	"/repos/[owner]/[repo]/check-runs/[check_run_id]",
	"/repos/[owner]/[repo]/check-runs/[check_run_id]/annotations",
	"/repos/[owner]/[repo]/check-suites",
	"/repos/[owner]/[repo]/check-suites/[check_suite_id]",
	"/repos/[owner]/[repo]/code-scanning/alerts",
	"/repos/[owner]/[repo]/code-scanning/alerts/[alert_number]",
	"/repos/[owner]/[repo]/dependabot/alerts",
	"/repos/[owner]/[repo]/dependabot/alerts/[alert_number]",
	"/repos/[owner]/[repo]/secret-scanning/alerts",
	"/repos/[owner]/[repo]/pages",
	"/repos/[owner]/[repo]/pages/builds",
	"/repos/[owner]/[repo]/pages/builds/latest",
	"/repos/[owner]/[repo]/pages/builds/[build_id]",
	"/repos/[owner]/[repo]/projects",
	"/repos/[owner]/[repo]/statuses/[sha]",
	"/repos/[owner]/[repo]/traffic/views",
	"/repos/[owner]/[repo]/traffic/clones",
	"/repos/[owner]/[repo]/traffic/popular/paths",
	"/repos/[owner]/[repo]/traffic/popular/referrers",
	"/repos/[owner]/[repo]/rulesets",
	"/repos/[owner]/[repo]/rulesets/[ruleset_id]",
	"/repos/[owner]/[repo]/dispatches",
	"/repos/[owner]/[repo]/merges",
	"/repos/[owner]/[repo]/transfer",
	"/repos/[owner]/[repo]/generate",
	"/repos/[owner]/[repo]/license",
	"/repos/[owner]/[repo]/codeowners/errors",
	"/repos/[owner]/[repo]/community/profile",
	"/repos/[owner]/[repo]/stats/contributors",
	"/repos/[owner]/[repo]/stats/commit_activity",
	"/repos/[owner]/[repo]/stats/participation",
	"/repos/[owner]/[repo]/vulnerability-alerts",
	"/repos/[owner]/[repo]/automated-security-fixes",
	"/repos/[owner]/[repo]/assignees",
	"/repos/[owner]/[repo]/assignees/[assignee]",
	"/repos/[owner]/[repo]/notifications",
	"/repos/[owner]/[repo]/invitations",
	"/repos/[owner]/[repo]/invitations/[invitation_id]",
	"/gists",
	"/gists/public",
	"/gists/starred",
	"/gists/[gist_id]",
	"/gists/[gist_id]/comments",
	"/gists/[gist_id]/comments/[comment_id]",
	"/gists/[gist_id]/commits",
	"/gists/[gist_id]/forks",
	"/gists/[gist_id]/star",
	"/gists/[gist_id]/[sha]",
	"/notifications",
	"/notifications/threads/[thread_id]",
	"/notifications/threads/[thread_id]/subscription",
	"/search/repositories",
	"/search/code",
	"/search/commits",
	"/search/issues",
	"/search/users",
	"/search/topics",
	"/search/labels",
	"/events",
	"/feeds",
	"/repositories",
	"/organizations",
	"/licenses",
	"/licenses/[license]",
	"/gitignore/templates",
	"/gitignore/templates/[name]",
	"/markdown",
	"/markdown/raw",
	"/octocat",
	"/zen",
	"/app",
	"/app/installations",
	"/app/installations/[installation_id]",
	"/app/installations/[installation_id]/access_tokens",
	"/app/hook/config",
	"/app/hook/deliveries",
	"/apps/[app_slug]",
	"/installation/repositories",
	"/applications/[client_id]/token",
	"/applications/[client_id]/grant",
	"/projects/[project_id]",
	"/projects/[project_id]/columns",
	"/projects/columns/[column_id]",
	"/projects/columns/[column_id]/cards",
	"/projects/columns/cards/[card_id]",
	"/teams/[team_id]",
	"/teams/[team_id]/members",
	"/enterprises/[enterprise]/dependabot/alerts",
	"/marketplace_listing/plans",
	"/marketplace_listing/plans/[plan_id]/accounts",
}

// routeTable is githubRoutes without the routes ServeMux or chi refuse
// beside the earlier ones (ServeMux: "neither is more specific"), so
// that every side holds the same table. route.Mux takes all of them
// (TestRouteMuxTakesTheWholeGitHubTable).
var routeTable, refusedByBaselines = commonRoutes(githubRoutes)

// tableSizes are the tables measured: the first n routes of routeTable.
var tableSizes = []int{10, 100, len(routeTable)}

func commonRoutes(routes []string) (common, refused []string) {
	sm, cm := http.NewServeMux(), chi.NewRouter()
	h := http.NotFoundHandler()
	for _, p := range routes {
		ok := func() (ok bool) {
			defer func() {
				if recover() != nil {
					ok = false
				}
			}()
			sm.Handle(muxPattern(p, false), h)
			cm.Handle(muxPattern(p, true), h)
			return true
		}()
		if ok {
			common = append(common, p)
		} else {
			refused = append(refused, p)
		}
	}
	return common, refused
}

func TestRouteMuxTakesTheWholeGitHubTable(t *testing.T) {
	m := route.NewMux()
	for _, p := range githubRoutes {
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Error(v)
				}
			}()
			m.Handle(p, http.NotFoundHandler())
		}()
	}
	t.Logf("%d routes; ServeMux or chi refuse %d of them beside the others: %q", len(githubRoutes), len(refusedByBaselines), refusedByBaselines)
}

// muxPattern is p as a ServeMux pattern ([id] is {id}, [...slug] is
// {slug...}), or as a chi one ([id] is {id}, [...slug] is *).
func muxPattern(p string, chiStyle bool) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "[..."):
			segs[i] = "{" + strings.Trim(s, "[.]") + "...}"
			if chiStyle {
				segs[i] = "*"
			}
		case strings.HasPrefix(s, "["):
			segs[i] = "{" + strings.Trim(s, "[]") + "}"
		}
	}
	return strings.Join(segs, "/")
}

// routeCase is one request of the benchmarks, the route it must reach
// ("" for a 404) and the path values it must get there.
type routeCase struct {
	name, target, route string
	params              map[string]string
}

var routeCases = []routeCase{
	{"static", "/user/repos", "/user/repos", nil},
	{"param", "/users/octocat", "/users/[username]", map[string]string{"username": "octocat"}},
	{"param3", "/repos/golang/go/issues/42", "/repos/[owner]/[repo]/issues/[issue_number]",
		map[string]string{"owner": "golang", "repo": "go", "issue_number": "42"}},
	{"catchall", "/repos/golang/go/contents/src/net/http/server.go", "/repos/[owner]/[repo]/contents/[...path]",
		map[string]string{"owner": "golang", "repo": "go", "path": "src/net/http/server.go"}},
	{"notfound", "/repos/golang/go/nope/42", "", nil},
}

// routeCounter is the handler of every route in the benchmarks: it does
// nothing but count its calls, so that a benchmark can tell that the
// requests reached the route it measures.
type routeCounter struct{ calls int }

func (h *routeCounter) ServeHTTP(http.ResponseWriter, *http.Request) { h.calls++ }

// routeImpls builds each side's router holding routes, the handler of
// each route (a Next pattern) being handler(route); param reads a path
// value the way that router gives it.
var routeImpls = []struct {
	name  string
	build func(routes []string, handler func(route string) http.Handler) http.Handler
	param func(r *http.Request, name string) string
}{
	{"apiroutes", func(routes []string, handler func(string) http.Handler) http.Handler {
		m := route.NewMux()
		for _, p := range routes {
			m.Handle(p, handler(p))
		}
		return m
	}, (*http.Request).PathValue},
	{"servemux", func(routes []string, handler func(string) http.Handler) http.Handler {
		m := http.NewServeMux()
		for _, p := range routes {
			m.Handle(muxPattern(p, false), handler(p))
		}
		return m
	}, (*http.Request).PathValue},
	{"chi", func(routes []string, handler func(string) http.Handler) http.Handler {
		m := chi.NewRouter()
		for _, p := range routes {
			m.Handle(muxPattern(p, true), handler(p))
		}
		return m
	}, func(r *http.Request, name string) string {
		if name == "path" {
			name = "*"
		}
		return chi.URLParam(r, name)
	}},
}

// routeFixture is the harness's fixture for a bodyless GET of target.
func routeFixture(target string) *fixture {
	f := newFixture(http.MethodGet, "", nil, false)
	f.tmpl = httptest.NewRequest(http.MethodGet, target, nil)
	f.tmpl.Body, f.tmpl.ContentLength = http.NoBody, 0
	return f
}

func BenchmarkRoute(b *testing.B) {
	for _, c := range routeCases {
		for _, n := range tableSizes {
			b.Run(fmt.Sprintf("%s/routes=%d", c.name, n), func(b *testing.B) {
				for _, impl := range routeImpls {
					b.Run(impl.name, func(b *testing.B) {
						counters := map[string]*routeCounter{}
						h := impl.build(routeTable[:n], func(route string) http.Handler {
							counters[route] = new(routeCounter)
							return counters[route]
						})
						f := routeFixture(c.target)
						b.ReportAllocs()
						for b.Loop() {
							f.serve(h)
						}
						// Every request reached the route and nothing was
						// written (no 404, no redirect); or, for the 404,
						// no route was called and the 404 was sent.
						calls := 0
						for _, rc := range counters {
							calls += rc.calls
						}
						switch {
						case c.route == "" && (calls != 0 || f.w.status != http.StatusNotFound):
							b.Fatalf("404: %d handler calls, status %d", calls, f.w.status)
						case c.route != "" && (counters[c.route].calls != b.N || f.w.status != 0):
							b.Fatalf("%s: handler called %d times in %d requests, status %d; want every time, nothing written",
								c.route, counters[c.route].calls, b.N, f.w.status)
						}
					})
				}
				if len(c.params) == 0 {
					return
				}
				// The floor net/http sets for a router outside it: no
				// routing, only Request.SetPathValue for the same values
				// (the map it makes is route.Mux's only allocation).
				b.Run("pathvalues", func(b *testing.B) {
					counter := new(routeCounter)
					h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						for name, v := range c.params {
							r.SetPathValue(name, v)
						}
						counter.ServeHTTP(w, r)
					})
					f := routeFixture(c.target)
					b.ReportAllocs()
					for b.Loop() {
						f.serve(h)
					}
				})
			})
		}
	}
}

// TestRouteBaselinesAgree makes the comparison fair: each side accepts
// every table and sends each request to the same route, with the same path
// values, writing nothing (or a 404 for the 404).
func TestRouteBaselinesAgree(t *testing.T) {
	for _, c := range routeCases {
		for _, n := range tableSizes {
			for _, impl := range routeImpls {
				t.Run(fmt.Sprintf("%s/routes=%d/%s", c.name, n, impl.name), func(t *testing.T) {
					var got []string // the routes reached
					var vals map[string]string
					h := impl.build(routeTable[:n], func(route string) http.Handler {
						return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
							got = append(got, route)
							vals = map[string]string{}
							for name := range c.params {
								vals[name] = impl.param(r, name)
							}
						})
					})
					f := routeFixture(c.target)
					f.serve(h)
					if c.route == "" {
						if len(got) != 0 || f.w.status != http.StatusNotFound {
							t.Errorf("reached %q, status %d; want a 404", got, f.w.status)
						}
						return
					}
					if len(got) != 1 || got[0] != c.route || f.w.status != 0 || fmt.Sprint(vals) != fmt.Sprint(c.params) {
						t.Errorf("reached %q with %v, status %d; want [%q] with %v, nothing written", got, vals, f.w.status, c.route, c.params)
					}
				})
			}
		}
	}
}

// TestRouteAllocatesOnlyThePathValues holds the allocation target of
// BenchmarkRoute between benchmark runs: route.Mux allocates no more than
// ServeMux in every case, and no more than Request.SetPathValue costs for
// the route's values alone (nothing for a static route).
func TestRouteAllocatesOnlyThePathValues(t *testing.T) {
	for _, c := range routeCases {
		n := len(routeTable)
		var allocs [2]float64
		for i, impl := range routeImpls[:2] {
			h := impl.build(routeTable[:n], func(string) http.Handler { return new(routeCounter) })
			f := routeFixture(c.target)
			allocs[i] = testing.AllocsPerRun(100, func() { f.serve(h) })
		}
		ours := allocs[0]
		// What setting the same values costs on a bare request.
		f := routeFixture(c.target)
		values := testing.AllocsPerRun(100, func() {
			f.serve(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				for name, v := range c.params {
					r.SetPathValue(name, v)
				}
			}))
		})
		if c.route == "" {
			values = 0 // a 404 sets none; what it costs is the error body
		}
		if c.route != "" && ours > values || ours > allocs[1] {
			t.Errorf("%s: apiroutes %v allocations per request; SetPathValue alone %v, servemux %v", c.name, ours, values, allocs[1])
		}
	}
}
