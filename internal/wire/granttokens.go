package wire

// GrantTokened is implemented by every input shape with a GrantTokens
// member (the generator writes GrantTokenList for each), so that a server
// checks the grant tokens of every operation that takes them in one place.
type GrantTokened interface {
	GrantTokenList() []string
}
