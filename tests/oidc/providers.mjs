// The OpenID providers the tests sign in through, started by the test run and stopped when
// its standard input closes (the test process ended). Prints one JSON line with their issuers.
//
// - "certified": node's oidc-provider (an OpenID Certified implementation), with static
//   clients for Platsa's staff and citizen sign-in at the test public URL http://platsa.test,
//   and dynamic client registration (POST /reg) for apps at other addresses.
//   Tests register the accounts they sign in as with PUT /test/accounts/{sub} (JSON claims),
//   and sign in through its login form (devInteractions). PKCE is required.
// - "rogue": a small provider that speaks the same protocol (discovery, JWKS, authorization
//   and token endpoints) but issues the broken ID tokens a certified provider never would:
//   the client_id chooses the fault (wrong-audience, wrong-issuer, wrong-nonce, no-nonce,
//   expired, other-key), and "good" gets a correct token, so the refusal tests can fail.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const PUBLIC = 'http://platsa.test';
const PNR_SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';
const PNR_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

// ---- the certified provider -------------------------------------------------------------
const accounts = new Map();
const certifiedServer = http.createServer();
const certified = await listen(certifiedServer);
const signingKey = await jose.exportJWK((await jose.generateKeyPair('RS256', { extractable: true })).privateKey);
signingKey.kid = 'certified-1';
signingKey.use = 'sig';
signingKey.alg = 'RS256';

const provider = new Provider(certified, {
  clients: [
    {
      client_id: 'platsa-staff',
      client_secret: 'staff-secret',
      redirect_uris: [`${PUBLIC}/signin/oidc/callback`],
      post_logout_redirect_uris: [`${PUBLIC}/`],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'platsa-citizen',
      client_secret: 'citizen-secret',
      redirect_uris: [`${PUBLIC}/apply/eid/callback`, `${PUBLIC}/mina-sidor/callback`],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['platsa-test-cookies'] },
  scopes: ['openid', 'profile', PNR_SCOPE],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'roles', 'units'],
    [PNR_SCOPE]: [PNR_CLAIM],
  },
  // Claims of the scopes granted go in the ID token itself (as Entra ID's groups and an
  // e-ID broker's personnummer do), not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  // Registration: a test whose app listens at an address known only at run time registers a
  // client for it (the browser tests).
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    registration: { enabled: true },
  },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const claims = accounts.get(id);
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts.get(id) }; } };
  },
  // First-party clients: the person is not asked to consent (as in a municipality's own
  // directory); what the client asks for is granted.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(`openid profile ${PNR_SCOPE}`);
    grant.addOIDCClaims(['name', 'given_name', 'family_name', 'roles', 'units', PNR_CLAIM]);
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, err) => console.error('provider error', err));

// The tests' accounts.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/test\/accounts\/([^/]+)$/);
  if (m && ctx.method === 'PUT') {
    accounts.set(decodeURIComponent(m[1]), JSON.parse(await readBody(ctx.req)));
    ctx.status = 204;
    return;
  }
  await next();
});
certifiedServer.on('request', provider.callback());

// ---- the rogue provider ---------------------------------------------------------------
const rogueServer = http.createServer();
const rogue = await listen(rogueServer);
const good = await jose.generateKeyPair('RS256');
const other = await jose.generateKeyPair('RS256');
const goodPublic = { ...(await jose.exportJWK(good.publicKey)), kid: 'rogue-1', use: 'sig', alg: 'RS256' };
const codes = new Map();

rogueServer.on('request', async (req, res) => {
  const url = new URL(req.url, rogue);
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/.well-known/openid-configuration') {
    return json(200, {
      issuer: rogue,
      authorization_endpoint: `${rogue}/auth`,
      token_endpoint: `${rogue}/token`,
      jwks_uri: `${rogue}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'profile'],
    });
  }
  if (url.pathname === '/jwks') return json(200, { keys: [goodPublic] });
  if (url.pathname === '/auth') {
    const p = url.searchParams;
    const code = crypto.randomBytes(16).toString('hex');
    codes.set(code, { clientId: p.get('client_id'), nonce: p.get('nonce') });
    const to = new URL(p.get('redirect_uri'));
    to.searchParams.set('code', code);
    to.searchParams.set('state', p.get('state'));
    res.writeHead(302, { location: to.toString() });
    return res.end();
  }
  if (url.pathname === '/token' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const grant = codes.get(form.get('code'));
    codes.delete(form.get('code'));
    if (!grant) return json(400, { error: 'invalid_grant' });
    const mode = grant.clientId;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: rogue, aud: mode, sub: 'rogue-admin', iat: now, exp: now + 300, nonce: grant.nonce,
      name: 'Rogue Admin', roles: ['platsa-admin'],
    };
    if (mode === 'wrong-audience') claims.aud = 'another-client';
    if (mode === 'wrong-issuer') claims.iss = 'http://issuer.invalid';
    if (mode === 'wrong-nonce') claims.nonce = 'not-the-nonce-that-was-sent';
    if (mode === 'no-nonce') delete claims.nonce;
    if (mode === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
    const key = mode === 'other-key' ? other.privateKey : good.privateKey;
    const idToken = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rogue-1' }).sign(key);
    return json(200, { access_token: crypto.randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }
  json(404, { error: 'not_found' });
});

// Only the first line is read; nothing later may end the providers.
process.stdout.on('error', () => {});
process.stdout.write(`${JSON.stringify({ certified, rogue })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
