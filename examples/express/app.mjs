// An Express app behind mamori, as the @mamori/express README sets it up.
//   MAMORI_SECRET=$(openssl rand -hex 32) node examples/express/app.mjs
import express from 'express';
import { loadMamori } from 'mamori';
import { mamoriExpress } from '@mamori/express';

const config = process.env.MAMORI_CONFIG ?? new URL('../mamori.yaml', import.meta.url).pathname;
const { guard, close } = await loadMamori(config);
const app = express();
app.use(express.urlencoded({ extended: false }), express.json()); // first: mamori reads login fields from req.body
app.use(mamoriExpress(guard));
app.get('/', (_req, res) => res.send('<form method="post" action="/login"><input name="email"><input name="password" type="password"><button>Sign in</button></form>'));
app.post('/login', (req, res) => {
  // Your own password check; mamori classifies the answer by its status and Location.
  if (req.body.email === 'alice@example.com' && req.body.password === 'alice-password') return res.redirect(302, '/account');
  res.status(401).send('wrong e-mail or password');
});
app.get('/account', (_req, res) => res.send('your account'));
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => void close()));
