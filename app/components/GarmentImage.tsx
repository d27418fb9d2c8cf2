/**
 * A 28x28 garment picture (a PNG data URL from the server) shown `size` pixels wide with its
 * pixels kept sharp: the gallery, collections, voting rounds and lineages all show them this way.
 */
export function GarmentImage({
  src,
  alt,
  size,
  title,
  className,
}: {
  src: string;
  alt: string;
  size: number;
  title?: string;
  className?: string;
}) {
  return (
    // A data URL: next/image would have nothing to optimize.
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={src}
      alt={alt}
      title={title}
      width={size}
      height={size}
      className={className ? `${className} [image-rendering:pixelated]` : '[image-rendering:pixelated]'}
    />
  );
}
