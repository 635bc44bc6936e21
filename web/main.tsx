/**
 * The `artifacts ui` page: one script (bundled by scripts/bundle-ui.mjs with preact and dagre), one stylesheet,
 * no inline code, so the server's Content-Security-Policy can forbid every inline script. Every string from the
 * API is rendered as text by preact; nothing is ever set as HTML.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, href, type Route } from './routes';
import { ListPage } from './pages/list';
import { ArtifactPage } from './pages/artifact';
import { VersionPage } from './pages/version';
import { DiffPage } from './pages/diff';
import { LineagePage } from './pages/lineage';
import { RunsPage, RunPage } from './pages/runs';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'list': return <ListPage />;
    case 'artifact': return <ArtifactPage name={route.name} />;
    case 'version': return <VersionPage ref_={route.ref} />;
    case 'diff': return <DiffPage from={route.from} to={route.to} />;
    case 'lineage': return <LineagePage ref_={route.ref} />;
    case 'runs': return <RunsPage />;
    case 'run': return <RunPage id={route.id} />;
  }
}

function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const route = parseRoute(hash);
  return (
    <>
      <header>
        <a class="brand" href={href.list()}>temporal-artifacts</a>
        <nav>
          <a href={href.list()} class={route.page === 'runs' || route.page === 'run' ? '' : 'current'}>Artifacts</a>
          <a href={href.runs()} class={route.page === 'runs' || route.page === 'run' ? 'current' : ''}>Pipeline runs</a>
        </nav>
      </header>
      <main><Page route={route} /></main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
