// compose-validate loads and validates Compose files with compose-go, the library Docker Compose
// itself uses (schema, interpolation, references), where no Docker engine or compose plugin exists.
// Usage: compose-validate FILE... (environment variables interpolate as in `docker compose config`).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	opts, err := cli.NewProjectOptions(os.Args[1:], cli.WithOsEnv, cli.WithDotEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := opts.LoadProject(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("ok")
}
