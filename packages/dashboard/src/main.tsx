/** Entry point: sign in (the cookie the sign-in link set), then render the dashboard. */
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { render } from 'preact';
import { Unauthorized } from '@pocketdock/client/browser';
import { App } from './app.js';
import { connect } from './connection.js';

const root = document.getElementById('app')!;

function SignedOut({ reason }: { reason: string }) {
  return (
    <main class="signin">
      <h1>pocketdock</h1>
      <p role="alert">Not signed in: {reason}</p>
      <p>
        Run <code>pocketdock dashboard</code> on the daemon's machine and open the link it prints, or paste the token from the daemon's
        state directory (<code>token</code>):
      </p>
      <form method="get" action="/">
        <label>
          Token <input name="token" type="password" autocomplete="off" required autofocus />
        </label>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

connect().then(
  (conn) => render(<App conn={conn} />, root),
  (err: unknown) =>
    render(
      err instanceof Unauthorized ? (
        <SignedOut reason={err.message} />
      ) : (
        <main class="signin">
          <h1>pocketdock</h1>
          <p role="alert">Cannot reach the daemon: {String((err as Error).message ?? err)}</p>
        </main>
      ),
      root,
    ),
);
