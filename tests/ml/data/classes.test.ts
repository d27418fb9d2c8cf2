import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../server/errors';
import { CLASS_NAMES, className, parseClass } from '../../../lib/classes';

describe('Fashion-MNIST classes', () => {
  it('has the ten classes in label order', () => {
    expect(CLASS_NAMES.join(', ')).toBe(
      'T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot',
    );
    expect(className(9)).toBe('Ankle boot');
  });

  it.each([
    ['dress', 3],
    ['Dress', 3],
    ['  DRESS ', 3],
    ['Ankle boot', 9],
    ['ankle-boot', 9],
    ['ankle_boot', 9],
    ['t-shirt', 0],
    ['T-shirt/top', 0],
    ['tshirt', 0],
    ['3', 3],
    ['0', 0],
    ['sneakers', 7],
    [8, 8],
  ] as const)('parseClass(%j) = %i', (input, expected) => {
    expect(parseClass(input)).toBe(expected);
  });

  it.each(['10', '-1', 'hat', '', 'shirts and dresses', 3.5])('rejects %j with the list of valid classes', (input) => {
    expect(() => parseClass(input)).toThrow(UserFacingError);
    expect(() => parseClass(input)).toThrow(/use 0-9 or a name \(0 T-shirt\/top, 1 Trouser, .*, 9 Ankle boot\)/);
  });
});
