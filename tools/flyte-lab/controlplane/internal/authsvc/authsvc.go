// Package authsvc answers flyteidl's AuthMetadataService and IdentityService for the open lab, where nothing is
// authenticated.
//
// FlyteAdmin (flyteadmin/pkg/server/service.go, v1.16.8) registers these two gRPC services only with
// server.security.useAuth; without it, the gRPC calls answer UNIMPLEMENTED and the HTTP gateway routes
// (/.well-known/oauth-authorization-server, /config/v1/flyte_client, /me) answer 501. Clients only ask for them
// after an UNAUTHENTICATED answer (flyteidl's Go client, flytekit's AuthUnaryInterceptor), except flytekit's
// ExternalCommand authenticator, which reads the public client config as soon as the first call is made; that fails
// against an open FlyteAdmin. So that every client works with or without an auth type, the lab answers them with
// what FlyteAdmin with useAuth and its default auth config (its own authorization server, "Self") returns:
//
//   - GetPublicClientConfig: auth.appAuth.thirdPartyConfig.flyteClient defaults (client_id "flytectl", redirect_uri
//     "http://localhost:53593/callback", scopes ["all", "offline"]) and authorization_metadata_key
//     "flyte-authorization" (auth.grpcAuthorizationHeader), as authzserver.OAuth2MetadataProvider does.
//   - GetOAuth2Metadata: the self-hosted authorization server's document (authzserver/metadata_provider.go):
//     issuer = the public URL, /oauth2/authorize, /oauth2/token, /oauth2/jwks under it, S256, response types
//     code/token/"code token", grant types client_credentials/refresh_token/authorization_code, scope "all",
//     client_secret_basic. The lab issues no tokens: nothing is served under /oauth2/ (a 404 that says so).
//   - UserInfo: an empty UserInfoResponse, which is what admin returns for a call without an identity.
package authsvc

import (
	"context"
	"net/url"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc/metadata"
)

// Config of the answers. Zero values take FlyteAdmin's auth defaults.
type Config struct {
	// PublicURL is the base of the OAuth2 metadata URLs when a request names no host (x-forwarded-host or
	// :authority); e.g. http://localhost:30080.
	PublicURL string
	// ClientID, RedirectURI, Scopes, Audience: auth.appAuth.thirdPartyConfig.flyteClient.
	ClientID    string
	RedirectURI string
	Scopes      []string
	Audience    string
	// AuthorizationMetadataKey: auth.grpcAuthorizationHeader ("flyte-authorization").
	AuthorizationMetadataKey string
}

func (c *Config) defaults() {
	if c.PublicURL == "" {
		c.PublicURL = "http://localhost:30080"
	}
	if c.ClientID == "" {
		c.ClientID = "flytectl"
	}
	if c.RedirectURI == "" {
		c.RedirectURI = "http://localhost:53593/callback"
	}
	if c.Scopes == nil {
		c.Scopes = []string{"all", "offline"}
	}
	if c.AuthorizationMetadataKey == "" {
		c.AuthorizationMetadataKey = "flyte-authorization"
	}
}

// AuthMetadata implements service.AuthMetadataServiceServer.
type AuthMetadata struct {
	service.UnimplementedAuthMetadataServiceServer
	cfg Config
}

// NewAuthMetadata makes the AuthMetadataService.
func NewAuthMetadata(cfg Config) *AuthMetadata {
	cfg.defaults()
	return &AuthMetadata{cfg: cfg}
}

// Relative URLs of FlyteAdmin's own authorization server (authzserver/metadata.go).
var (
	authorizeRelativeURL = &url.URL{Path: "/oauth2/authorize"}
	tokenRelativeURL     = &url.URL{Path: "/oauth2/token"}
	jwksRelativeURL      = &url.URL{Path: "/oauth2/jwks"}
)

// GetOAuth2Metadata returns the metadata document of FlyteAdmin's self-hosted authorization server.
func (a *AuthMetadata) GetOAuth2Metadata(ctx context.Context, _ *service.OAuth2MetadataRequest) (*service.OAuth2MetadataResponse, error) {
	u := a.publicURL(ctx)
	return &service.OAuth2MetadataResponse{
		Issuer:                            u.String(),
		AuthorizationEndpoint:             u.ResolveReference(authorizeRelativeURL).String(),
		TokenEndpoint:                     u.ResolveReference(tokenRelativeURL).String(),
		JwksUri:                           u.ResolveReference(jwksRelativeURL).String(),
		CodeChallengeMethodsSupported:     []string{"S256"},
		ResponseTypesSupported:            []string{"code", "token", "code token"},
		GrantTypesSupported:               []string{"client_credentials", "refresh_token", "authorization_code"},
		ScopesSupported:                   []string{"all"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
	}, nil
}

// GetPublicClientConfig returns the flyte client's public config.
func (a *AuthMetadata) GetPublicClientConfig(context.Context, *service.PublicClientAuthConfigRequest) (*service.PublicClientAuthConfigResponse, error) {
	return &service.PublicClientAuthConfigResponse{
		ClientId:                 a.cfg.ClientID,
		RedirectUri:              a.cfg.RedirectURI,
		Scopes:                   append([]string(nil), a.cfg.Scopes...),
		AuthorizationMetadataKey: a.cfg.AuthorizationMetadataKey,
		Audience:                 a.cfg.Audience,
	}, nil
}

// publicURL is admin's auth.GetPublicURL without authorizedUris: the host the request came to (x-forwarded-host,
// else :authority), with the lab's scheme (http: the lab has no TLS, where admin assumes https), else PublicURL.
func (a *AuthMetadata) publicURL(ctx context.Context) *url.URL {
	base, err := url.Parse(a.cfg.PublicURL)
	if err != nil || base.Host == "" {
		base = &url.URL{Scheme: "http", Host: "localhost:30080"}
	}
	md, _ := metadata.FromIncomingContext(ctx)
	host := first(md.Get("x-forwarded-host"))
	if host == "" {
		host = first(md.Get(":authority"))
	}
	if host != "" && !strings.ContainsAny(host, "/@?#") {
		if u, err := url.Parse(base.Scheme + "://" + host); err == nil && u.Host != "" {
			return u
		}
	}
	return &url.URL{Scheme: base.Scheme, Host: base.Host}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// Identity implements service.IdentityServiceServer.
type Identity struct {
	service.UnimplementedIdentityServiceServer
}

// NewIdentity makes the IdentityService.
func NewIdentity() *Identity { return &Identity{} }

// UserInfo returns an empty UserInfoResponse: nobody is logged in to the open lab.
func (Identity) UserInfo(context.Context, *service.UserInfoRequest) (*service.UserInfoResponse, error) {
	return &service.UserInfoResponse{}, nil
}
