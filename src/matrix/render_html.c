/*
 * One self-contained HTML page (inline CSS and JS, nothing fetched): the
 * table with sticky headers (top row and first column), cells shaded by
 * how much they grant, and a filter box. The filter keeps the cells whose
 * source, destination or access contains the text, and the rows and
 * columns that hold one; ?filter=TEXT in the URL fills it in. On narrow
 * screens the page tightens and the table scrolls inside its frame.
 */
#include <string.h>

#include "matrix/render.h"
#include "matrix/text.h"

static const char css[] =
	":root{--b:#d0d7de;--h:#f6f8fa;--fg:#1f2328;--mut:#59636e;color:var(--fg);"
	"font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\n"
	"body{margin:0;padding:12px}\n"
	"h1{font-size:1.2rem;margin:0 0 4px}\n"
	"p,li{color:var(--mut);margin:4px 0}\n"
	".bar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}\n"
	"#filter{font:inherit;padding:6px 8px;flex:1 1 14rem;max-width:28rem;min-width:0;"
	"border:1px solid var(--b);border-radius:6px}\n"
	".wrap{overflow:auto;max-height:calc(100vh - 10rem);border:1px solid var(--b);"
	"border-radius:6px}\n"
	"table{border-collapse:separate;border-spacing:0;font-size:.85rem}\n"
	"th,td{border-right:1px solid var(--b);border-bottom:1px solid var(--b);padding:4px 8px;"
	"white-space:nowrap;text-align:left;font-weight:normal}\n"
	"th{background:var(--h);font-weight:600}\n"
	"thead th{position:sticky;top:0;z-index:2}\n"
	"tbody th{position:sticky;left:0;z-index:1}\n"
	"thead th.corner{left:0;z-index:3}\n"
	".h1{background:#dafbe1}.h2{background:#aceebb}.h3{background:#6fdd8b}"
	".h4{background:#4ac26b}.h5{background:#2da44e;color:#fff}\n"
	".heat span{display:inline-block;padding:0 6px;margin-right:4px;border-radius:3px}\n"
	"td.dim{opacity:.2}\n"
	".hide{display:none}\n"
	"@media (max-width:640px){body{padding:6px}h1{font-size:1rem}table{font-size:.75rem}"
	"th,td{padding:2px 4px}.wrap{max-height:calc(100vh - 8rem)}}\n";

static const char js[] =
	"(function(){\n"
	"var t=document.getElementById('matrix'),f=document.getElementById('filter'),"
	"out=document.getElementById('count');\n"
	"if(!t||!t.tHead||!t.tBodies.length)return;\n"
	"var rows=[].slice.call(t.tBodies[0].rows),heads=[].slice.call(t.tHead.rows[0].cells,1),"
	"nc=heads.length;\n"
	"function has(s,q){return s.toLowerCase().indexOf(q)>=0}\n"
	"function apply(){\n"
	" var q=f.value.trim().toLowerCase(),on=[],nr=0,ncol=0,j;\n"
	" for(j=0;j<nc;j++)on.push(!q);\n"
	" rows.forEach(function(r){\n"
	"  var lab=has(r.cells[0].textContent,q),any=!q;\n"
	"  for(j=0;j<nc;j++){var c=r.cells[j+1],s=c.textContent,"
	"hit=!!q&&s!==''&&(lab||has(heads[j].textContent,q)||has(s,q));\n"
	"   c.classList.toggle('dim',!!q&&!hit);if(hit){any=true;on[j]=true;}}\n"
	"  r.classList.toggle('hide',!any);if(any)nr++;\n"
	" });\n"
	" for(j=0;j<nc;j++){heads[j].classList.toggle('hide',!on[j]);if(on[j])ncol++;\n"
	"  rows.forEach(function(r){r.cells[j+1].classList.toggle('hide',!on[j]);});}\n"
	" out.textContent=nr+' of '+rows.length+' sources, '+ncol+' of '+nc+' destinations';\n"
	"}\n"
	"f.addEventListener('input',apply);\n"
	"var q=new URLSearchParams(location.search).get('filter');if(q!==null)f.value=q;\n"
	"apply();\n"
	"})();\n";

static void members_title(struct rg_buf *b, const struct rg_matrix_line *l)
{
	size_t i;

	if (l->nmembers < 2)
		return;
	rg_buf_puts(b, " title=\"");
	for (i = 0; i < l->nmembers && i < 50; i++) {
		if (i)
			rg_buf_puts(b, ", ");
		esc_html(b, l->members[i]);
	}
	if (l->nmembers > 50)
		rg_buf_printf(b, " (+%zu more)", l->nmembers - 50);
	rg_buf_putc(b, '"');
}

static int note(const char *s, void *arg)
{
	struct rg_buf *b = arg;

	rg_buf_puts(b, "<li>");
	esc_html(b, s);
	rg_buf_puts(b, "</li>\n");
	return 0;
}

static int put_table(const struct view *v, struct rg_buf *b)
{
	const struct rg_matrix *m = v->m;
	struct row_cursor c;
	size_t i, j;

	if (row_cursor_init(&c, v) < 0)
		return -1;
	rg_buf_puts(b, "<div class=\"wrap\"><table id=\"matrix\">\n<thead><tr>"
		       "<th class=\"corner\">src &#8594; dst</th>");
	for (j = 0; j < v->ncols; j++) {
		rg_buf_puts(b, "<th");
		members_title(b, &m->cols[j]);
		rg_buf_putc(b, '>');
		esc_html(b, m->cols[j].label);
		rg_buf_puts(b, "</th>");
	}
	rg_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < v->nrows; i++) {
		row_cursor_row(&c, i);
		rg_buf_puts(b, "<tr><th");
		members_title(b, &m->rows[i]);
		rg_buf_putc(b, '>');
		esc_html(b, m->rows[i].label);
		rg_buf_puts(b, "</th>");
		for (j = 0; j < v->ncols; j++) {
			if (!c.cells[j]) {
				rg_buf_puts(b, "<td></td>");
				continue;
			}
			rg_buf_printf(b, "<td class=\"h%d\">", access_level(c.cells[j]));
			esc_html(b, c.cells[j]->text);
			rg_buf_puts(b, "</td>");
		}
		rg_buf_puts(b, "</tr>\n");
	}
	rg_buf_puts(b, "</tbody></table></div>\n");
	row_cursor_free(&c);
	return 0;
}

int render_html(const struct view *v, struct rg_buf *b)
{
	struct rg_buf t;
	int ret;

	rg_buf_init(&t, 0);
	view_title(v, &t);
	rg_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<meta name=\"generator\" content=\"relaygate\">\n<title>");
	esc_html(b, t.data ? t.data : "");
	rg_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
	esc_html(b, t.data ? t.data : "");
	rg_buf_puts(b, "</h1>\n<p>");
	rg_buf_reset(&t);
	view_legend(v, &t);
	esc_html(b, t.data ? t.data : "");
	ret = rg_buf_failed(&t) ? -1 : 0;
	rg_buf_free(&t);
	rg_buf_puts(b, "</p>\n<div class=\"bar\"><input id=\"filter\" type=\"search\" "
		       "placeholder=\"Filter: name, port or capability\" aria-label=\"Filter\" "
		       "autocomplete=\"off\"><span id=\"count\"></span></div>\n");
	if (ret == 0 && v->nrows && v->ncols)
		ret = put_table(v, b);
	else if (ret == 0)
		rg_buf_puts(b, "<p>Nobody has access to anything.</p>\n");
	rg_buf_puts(b, "<ul class=\"notes\">\n");
	if (ret == 0)
		ret = view_notes(v, note, b);
	rg_buf_puts(b, "</ul>\n<p class=\"heat\">Shade: how much a cell grants "
		       "(protocol and port pairs, plus capabilities): <span class=\"h1\">1</span>"
		       "<span class=\"h2\">&#8804; 10</span><span class=\"h3\">&#8804; 1000</span>"
		       "<span class=\"h4\">&lt; 65536</span><span class=\"h5\">more</span></p>\n");
	rg_buf_printf(b, "<script>\n%s</script>\n</body>\n</html>\n", js);
	return ret == 0 && !rg_buf_failed(b) ? 0 : -1;
}
