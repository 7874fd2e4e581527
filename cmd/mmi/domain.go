package main

import "github.com/mmi-go/mmi/simplex"

// parseDomainFlag reads --domain: simplex or ball.
func parseDomainFlag(s string) (simplex.Domain, error) {
	d, err := simplex.ParseDomain(s)
	if err != nil {
		return simplex.Domain{}, usagef("--domain %q: want simplex or ball", s)
	}
	return d, nil
}
