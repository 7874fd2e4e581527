package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
)

func newDatasetsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "List the built-in data sets",
		RunE: func(cmd *cobra.Command, _ []string) error {
			list := datasets.List()
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(list)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tDIM\tCLASSES\tINSTALLED\tDESCRIPTION")
			for _, s := range list {
				name, classes := s.Name, "-"
				if s.Classes > 0 {
					name += fmt.Sprintf(":0…%d", s.Classes-1)
					classes = fmt.Sprint(s.Classes)
				}
				inst := "yes"
				if !s.Installed {
					inst = "no: " + s.Where
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", name, s.Dim, classes, inst, s.Description)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
