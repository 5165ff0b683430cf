package provider

import "strings"

// maskToken hides a token a message might quote.
func maskToken(msg, token string) string {
	return strings.ReplaceAll(msg, token, "*****")
}
