// A minimal Express shop (Express defaults: case-insensitive routes, trailing slash optional) that
// counts gateway authorizations: every card that reaches the handler is one authorization (declined).
import express from 'express';
const app = express();
let authorizations = 0;
const paths = [];
app.post('/api/checkout', express.json(), express.urlencoded({ extended: true }), (req, res) => {
  if (typeof req.body?.card?.number !== 'string') return res.status(400).json({ error: 'no card' });
  authorizations++;
  paths.push(req.originalUrl);
  res.status(402).json({ status: 'declined', threeDS: req.get('x-mamori-step-up') === '3ds' });
});
app.get('/api/gateway/stats', (_q, res) => res.json({ authorizations, paths: paths.slice(-5) }));
app.listen(Number(process.argv[2] ?? 3902), '127.0.0.1', () => console.log('express shop on', process.argv[2] ?? 3902));
