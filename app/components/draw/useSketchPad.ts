/**
 * What a drawing canvas holds for its page (/draw and the drawer of /draw/together): the strokes
 * with undo and redo, the tool and the pen's width, and the 28x28 image the model will see (null
 * while the canvas is empty).
 */
'use client';

import { useMemo, useState } from 'react';
import { sketchToImage28 } from '../../../lib/sketch/preprocess';
import { type Tool, useStrokeHistory } from './useStrokeHistory';

export function useSketchPad() {
  const history = useStrokeHistory();
  const [tool, setTool] = useState<Tool>('pen');
  const [penWidth, setPenWidth] = useState(12);
  const image = useMemo(() => sketchToImage28(history.strokes), [history.strokes]);
  return { history, tool, setTool, penWidth, setPenWidth, image };
}
