package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/server"
)

func fakeEnv(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestExpandEnv(t *testing.T) {
	env := fakeEnv(map[string]string{"HOST": "db.internal", "EMPTY": "", "PW": "p@ss:w#rd"})
	for _, tc := range []struct{ in, want, err string }{
		{in: "plain", want: "plain"},
		{in: "${HOST}", want: "db.internal"},
		{in: "postgres://trent:${PW}@${HOST}:5432/trent", want: "postgres://trent:p@ss:w#rd@db.internal:5432/trent"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${HOST:-fallback}", want: "db.internal"},
		{in: "${MISSING:-}", want: ""},
		{in: "${EMPTY}", want: ""},
		{in: "cost $$5 and $HOME and $", want: "cost $5 and $HOME and $"},
		{in: "${MISSING:-a:-b}", want: "a:-b"},
		{in: "${MISSING}", err: "MISSING is not set"},
		{in: "${HOST", err: "unterminated"},
		{in: "${1X}", err: "invalid variable name"},
		{in: "${}", err: "invalid variable name"},
	} {
		got, err := expandEnv(tc.in, env)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("expandEnv(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("expandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trent.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSettingsPrecedence checks flags > environment > file > defaults,
// setting by setting.
func TestSettingsPrecedence(t *testing.T) {
	path := writeConfig(t, `
# every kind of value
listen: 0.0.0.0:9000
region: ${REGION:-eu-west-1}
account_id: "210987654321"
database_url: postgres://trent:${DB_PASSWORD}@db:5432/trent
sweep_interval: 30s
wrapping_key_pool: 2
allow_pkcs1v15_wrapping: true
log_level: debug
tls_cert: /etc/trent/cert.pem
tls_key: /etc/trent/key.pem
metrics_listen: 127.0.0.1:9100
root_access_key_id: ${ROOT_ID}
root_secret_access_key: ${ROOT_SECRET}
`)
	env := map[string]string{
		"DB_PASSWORD": "hunter2", "ROOT_ID": "AKIAEXAMPLEROOT00000", "ROOT_SECRET": "s3cret",
		"TRENT_LOG_LEVEL":      "warn", // env beats file
		"TRENT_LISTEN":         "",     // empty: unset
		"TRENT_DATA_DIR":       "/var/lib/trent",
		"TRENT_SWEEP_INTERVAL": "20s",
	}
	o, err := parseServerOptions([]string{"--config", path, "--sweep-interval", "5s", "--log-format", "json"}, fakeEnv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen (file; empty env ignored)", c.Listen, "0.0.0.0:9000"},
		{"data dir (env)", c.DataDir, "/var/lib/trent"},
		{"region (file, ${:-} default)", c.Region, "eu-west-1"},
		{"account (file, quoted)", c.AccountID, "210987654321"},
		{"database url (file, expanded)", c.DatabaseURL, "postgres://trent:hunter2@db:5432/trent"},
		{"cache ttl (default with a database)", c.CacheTTL, server.DefaultSharedCacheTTL},
		{"sweep interval (flag beats env and file)", c.SweepInterval, 5 * time.Second},
		{"wrapping key pool (file int)", c.WrappingKeyPool, 2},
		{"pkcs1v15 (file bool)", c.AllowPKCS1v15Wrapping, true},
		{"log level (env beats file)", o.logLevel, "warn"},
		{"log format (flag)", o.logFormat, "json"},
		{"tls", c.TLSCert + " " + c.TLSKey, "/etc/trent/cert.pem /etc/trent/key.pem"},
		{"metrics listen", c.MetricsListen, "127.0.0.1:9100"},
		{"root id", c.RootAccessKey, "AKIAEXAMPLEROOT00000"},
		{"root secret", c.RootSecretKey, "s3cret"},
		{"audit log (default)", c.AuditLog, ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestSettingsDefaults(t *testing.T) {
	o, err := parseServerOptions(nil, fakeEnv(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if c.Listen != DefaultListen || c.DataDir != DefaultDataDir || c.Region != DefaultRegion || c.AccountID != DefaultAccountID ||
		c.SweepInterval != 10*time.Second || c.WrappingKeyPool != 4 || c.AllowPKCS1v15Wrapping || c.CacheTTL != 0 ||
		c.DatabaseURL != "" || o.logLevel != "info" || o.logFormat != "text" {
		t.Errorf("defaults: %+v, %q %q", c, o.logLevel, o.logFormat)
	}
	// The cache TTL: explicit values win over the store's default.
	o, err = parseServerOptions([]string{"--database-url", "postgres://x/y", "--cache-ttl", "0"}, fakeEnv(nil), io.Discard)
	if err != nil || o.cfg.CacheTTL != 0 {
		t.Errorf("--cache-ttl 0 with a database: %v, %v", o, err)
	}
	o, err = parseServerOptions([]string{"--allow-pkcs1v15-wrapping"}, fakeEnv(map[string]string{"TRENT_CACHE_TTL": "500ms"}), io.Discard)
	if err != nil || o.cfg.CacheTTL != 500*time.Millisecond || !o.cfg.AllowPKCS1v15Wrapping {
		t.Errorf("TRENT_CACHE_TTL=500ms and a bare bool flag: %+v, %v", o, err)
	}
	// TRENT_CONFIG names the file when --config does not.
	path := writeConfig(t, "region: ap-south-1\n")
	o, err = parseServerOptions(nil, fakeEnv(map[string]string{"TRENT_CONFIG": path}), io.Discard)
	if err != nil || o.cfg.Region != "ap-south-1" {
		t.Errorf("TRENT_CONFIG: %+v, %v", o, err)
	}
	// An empty file is no settings.
	if _, err := parseServerOptions([]string{"--config", writeConfig(t, "# nothing\n")}, fakeEnv(nil), io.Discard); err != nil {
		t.Errorf("empty file: %v", err)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		env  map[string]string
		args []string
		want string
	}{
		{file: "listen: a\nlisen: b\n", want: `line 2: unknown key "lisen"`},
		{file: "listen: a\nlisten: b\n", want: `key "listen" given twice`},
		{file: "listen: [a, b]\n", want: "must be a single value"},
		{file: "- listen\n", want: "must be a mapping"},
		{file: "database_url: ${NOPE}\n", want: "NOPE is not set"},
		{file: "sweep_interval: often\n", want: "sweep_interval: not a duration"},
		{file: "wrapping_key_pool: many\n", want: "wrapping_key_pool: not an integer"},
		{file: "allow_pkcs1v15_wrapping: perhaps\n", want: "allow_pkcs1v15_wrapping: not true or false"},
		{file: "listen: 'unterminated\n", want: "yaml"},
		{env: map[string]string{"TRENT_WRAPPING_KEY_POOL": "x"}, want: "TRENT_WRAPPING_KEY_POOL: not an integer"},
		{args: []string{"--cache-ttl", "-1s"}, want: "cache TTL"},
		{args: []string{"--tls-cert", "c.pem"}, want: "--tls-key"},
		{args: []string{"--config", "/nonexistent/trent.yaml"}, want: "config file"},
		{args: []string{"stray"}, want: "unexpected arguments"},
	} {
		args := tc.args
		if tc.file != "" {
			args = append([]string{"--config", writeConfig(t, tc.file)}, args...)
		}
		_, err := parseServerOptions(args, fakeEnv(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("file %q env %v args %q: err = %v, want %q", tc.file, tc.env, tc.args, err, tc.want)
		}
	}
}

// TestSettingsTable checks that every setting has a config key, and an
// environment variable and a flag unless it is a secret.
func TestSettingsTable(t *testing.T) {
	keys, envs, flags := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range serverSettings(&serverOptions{}) {
		if s.key == "" || s.env == "" || keys[s.key] || envs[s.env] || (s.flag != "" && flags[s.flag]) {
			t.Errorf("setting %+v: missing or duplicate name", s)
		}
		if s.flag != "" && strings.ReplaceAll(s.flag, "-", "_") != s.key {
			t.Errorf("config key %q does not mirror flag --%s", s.key, s.flag)
		}
		keys[s.key], envs[s.env], flags[s.flag] = true, true, true
	}
}
