// Fit each slide to the slide's size: figures and animations are drawn as large as the slide allows (small
// animations enlarged, up to 2.5 times), then text and pictures shrink together until nothing runs off the bottom.
// (reveal.js scales whole slides to the window, never what is on them.)
(function () {
  var MAX_ZOOM = 2.5;
  function pictures(slide) {
    return Array.prototype.filter.call(slide.querySelectorAll(".jp-OutputArea-output img"), function (img) {
      return !img.closest(".deck-row");
    });
  }
  function natural(img) {  // the picture's size on a page: its width attribute, or half its pixels (retina figures)
    var w = Math.max(parseFloat(img.getAttribute("width")) || 0, (img.naturalWidth || 2) / 2);
    return [w, w * (img.naturalHeight || 1) / (img.naturalWidth || 1)];
  }
  function fit(slide) {
    if (!slide || slide.dataset.fitted) return;
    var height = Reveal.getConfig().height, width = slide.clientWidth || Reveal.getConfig().width;
    var imgs = pictures(slide);
    var cap = imgs.length ? 600 / imgs.length : 0;   // the pictures' first height budget, shared
    function place(scale) {
      imgs.forEach(function (img) {
        var n = natural(img);
        var z = Math.min(MAX_ZOOM, (width - 30) / n[0], cap / n[1]) * scale;
        img.style.width = Math.round(n[0] * z) + "px";
        img.style.height = "auto";
      });
    }
    var scale = 1, size = 100;
    place(scale);
    while (slide.scrollHeight > height && (scale > 0.4 || size > 55)) {
      if (imgs.length && scale > 0.4) { scale *= 0.92; place(scale); }
      if (slide.scrollHeight > height && size > 55) { size -= 5; slide.style.fontSize = size + "%"; }
    }
    slide.dataset.fitted = String(size);
    Reveal.layout();
  }
  function whenDrawn(slide) {
    if (!slide) return;
    var waits = Array.prototype.map.call(slide.querySelectorAll("img"), function (img) {
      return img.decode ? img.decode().catch(function () {}) : Promise.resolve();
    });
    Promise.all(waits).then(function () { fit(slide); });
  }
  Reveal.on("ready", function (event) { whenDrawn(event.currentSlide); });
  Reveal.on("slidechanged", function (event) { whenDrawn(event.currentSlide); });
  if (Reveal.isReady()) whenDrawn(Reveal.getCurrentSlide());
})();
