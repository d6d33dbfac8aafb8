import { Route, Routes } from 'react-router-dom';
import { WorkPage } from './WorkPage';
import { WorksPage } from './WorksPage';

/** /kratix: the works; /kratix/works/:namespace/:name: one work. */
export function KratixRouter() {
  return (
    <Routes>
      <Route path="/" element={<WorksPage />} />
      <Route path="/works/:namespace/:name" element={<WorkPage />} />
    </Routes>
  );
}
