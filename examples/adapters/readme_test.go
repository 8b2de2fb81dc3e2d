package adapters

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The READMEs show bridgeServeMux and the echo error handlers as recipes to
// copy: each declaration they show must be the tested one, byte for byte.
func TestReadmeRecipesAreTheTestedCode(t *testing.T) {
	t.Parallel()
	var source strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		source.Write(b)
	}
	recipes := []string{"bridgeServeMux", "statusOnly", "EchoErrorHandler", "EchoErrorsInside"}
	for _, readme := range []string{"../../README.md", "README.md"} {
		b, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]bool{}
		for _, decl := range goDecls(string(b)) {
			first, _, _ := strings.Cut(decl, "\n")
			for _, name := range recipes {
				if !strings.Contains(first, name) {
					continue
				}
				shown[name] = true
				if !strings.Contains(source.String(), decl) {
					t.Errorf("%s shows a %s that is not the tested code:\n%s", readme, name, decl)
				}
			}
		}
		for _, name := range recipes {
			if !shown[name] {
				t.Errorf("%s does not show %s", readme, name)
			}
		}
	}
}

// goDecls returns the top-level func and type declarations of the ```go
// blocks of a Markdown text, each from its keyword to its closing brace.
func goDecls(markdown string) []string {
	var decls []string
	var decl strings.Builder
	inGo, inDecl := false, false
	for line := range strings.Lines(markdown) {
		switch {
		case strings.HasPrefix(line, "```"):
			inGo, inDecl = strings.HasPrefix(line, "```go"), false
		case !inGo:
		case !inDecl && (strings.HasPrefix(line, "func ") || strings.HasPrefix(line, "type ")):
			decl.Reset()
			decl.WriteString(line)
			if strings.HasSuffix(line, "}\n") { // a declaration on one line
				decls = append(decls, decl.String())
				continue
			}
			inDecl = true
		case inDecl:
			decl.WriteString(line)
			if line == "}\n" {
				decls = append(decls, decl.String())
				inDecl = false
			}
		}
	}
	return decls
}
